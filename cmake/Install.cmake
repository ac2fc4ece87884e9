#===- cmake/Install.cmake - cmake --install and the xfmr CMake package ----===#
#
# `cmake --install build --prefix P` lays out
#   P/bin/xfmrc, xfmr-opt, xfmr-run
#   P/include/xfmr/runtime.h           the C API
#   P/lib/libxfmr_runtime.a            linked into every model library, with
#   P/lib/xfmr_runtime.map             its version script (xfmrc finds both at
#                                      ../lib from itself)
#   P/lib/cmake/xfmr/xfmrConfig.cmake  find_package(xfmr): xfmr::runtime,
#                                      xfmr::xfmrc, xfmr_add_model()
# Included last by the top-level CMakeLists.txt, once every target exists.
#
#===----------------------------------------------------------------------===#

include(CMakePackageConfigHelpers)

set(XFMR_INSTALL_CMAKEDIR lib/cmake/xfmr)

# The tools link Debian's libMLIR and libLLVM from outside the system's
# library path: keep those folders in the installed tools' RPATH.
set_target_properties(xfmrc xfmr-opt xfmr-run PROPERTIES
  INSTALL_RPATH_USE_LINK_PATH ON)
install(TARGETS xfmrc xfmr-opt xfmr-run RUNTIME DESTINATION bin)
install(FILES runtime/include/xfmr/runtime.h DESTINATION include/xfmr)
# Installed as files: xfmrc links the archive into model libraries; programs
# never link it themselves (it needs a model's generated code).
install(FILES $<TARGET_FILE:xfmr_runtime>
              ${CMAKE_ARCHIVE_OUTPUT_DIRECTORY}/xfmr_runtime.map
        DESTINATION lib)

configure_package_config_file(cmake/xfmrConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/xfmrConfig.cmake
  INSTALL_DESTINATION ${XFMR_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/xfmrConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/xfmrConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/xfmrConfigVersion.cmake
        DESTINATION ${XFMR_INSTALL_CMAKEDIR})
