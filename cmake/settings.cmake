# Build settings shared by our own targets only (linked as interface targets, ccache-style).
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_library(preflight_settings INTERFACE)
target_compile_features(preflight_settings INTERFACE cxx_std_20)
target_compile_definitions(preflight_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  PREFLIGHT_VERSION="${PROJECT_VERSION}")

add_library(preflight_warnings INTERFACE)
target_compile_options(preflight_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wimplicit-fallthrough
  $<$<BOOL:${PREFLIGHT_WERROR}>:-Werror>)

if(PREFLIGHT_SANITIZE)
  target_compile_options(preflight_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(preflight_settings INTERFACE -fsanitize=address,undefined)
  # GCC's documentation warns that sanitizers make -Wmaybe-uninitialized report false positives;
  # GCC 12 does so inside libstdc++'s <regex> and <functional> at -O1.
  target_compile_options(preflight_warnings INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endif()

# The fuzz targets' coverage feedback needs the code under test instrumented too.
if(PREFLIGHT_FUZZ)
  target_compile_options(preflight_settings INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(preflight_settings INTERFACE -fsanitize=address,undefined)
endif()
