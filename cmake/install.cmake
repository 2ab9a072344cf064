# Install like a real tool: the binary, man pages and shell completions (generated at build time
# by the binary itself from its CLI11 definitions), and the bundled example under
# share/preflight/example, where an installed `preflight demo` finds it. CPack turns the same
# rules into a .deb (`bash tool/setup.sh package`).
include(GNUInstallDirs)

set(PREFLIGHT_GENERATED ${PROJECT_BINARY_DIR}/generated)
add_custom_command(
  OUTPUT ${PREFLIGHT_GENERATED}/stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PREFLIGHT_GENERATED}/man1
  COMMAND preflight __man ${PREFLIGHT_GENERATED}/man1
  COMMAND sh -c "$<TARGET_FILE:preflight> completion bash > ${PREFLIGHT_GENERATED}/preflight.bash"
  COMMAND sh -c "$<TARGET_FILE:preflight> completion zsh > ${PREFLIGHT_GENERATED}/_preflight"
  COMMAND sh -c "$<TARGET_FILE:preflight> completion fish > ${PREFLIGHT_GENERATED}/preflight.fish"
  COMMAND ${CMAKE_COMMAND} -E touch ${PREFLIGHT_GENERATED}/stamp
  DEPENDS preflight
  COMMENT "Man pages and shell completions from preflight's command line"
  VERBATIM)
add_custom_target(preflight_man_and_completions ALL DEPENDS ${PREFLIGHT_GENERATED}/stamp)

install(TARGETS preflight RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PREFLIGHT_GENERATED}/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
install(FILES ${PREFLIGHT_GENERATED}/preflight.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME preflight)
install(FILES ${PREFLIGHT_GENERATED}/_preflight
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PREFLIGHT_GENERATED}/preflight.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/migrations
        DESTINATION ${CMAKE_INSTALL_DATADIR}/preflight/example)
install(FILES ${PROJECT_SOURCE_DIR}/benchmarks/focus_sessions.toml
              ${PROJECT_SOURCE_DIR}/benchmarks/focus_sessions.dataset.sql
        DESTINATION ${CMAKE_INSTALL_DATADIR}/preflight/example/benchmarks)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/benchmarks/load
        DESTINATION ${CMAKE_INSTALL_DATADIR}/preflight/example/benchmarks)
install(FILES ${PROJECT_SOURCE_DIR}/benchmarks/checks/focus_sessions.checks.toml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/preflight/example/benchmarks/checks)

# The .deb: shared-library dependencies found by dpkg-shlibdeps; the PostgreSQL server binaries
# (the throwaway cluster) and pg_stat_statements (`check` kind statements) declared by hand.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME preflight)
set(CPACK_PACKAGE_VENDOR preflight)
set(CPACK_PACKAGE_CONTACT "preflight maintainers <preflight@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "PostgreSQL migration and performance validation: migrator, linter, benchmarks, checks")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "postgresql")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-contrib")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
include(CPack)
