# Man pages and shell completions, generated at build time by the binary itself from its CLI11
# definitions (`preflight __man DIR`, `preflight completion bash|zsh|fish`).

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

