# `cmake --install`: headers, the layer libraries, the CMake package evstore::evstore (config,
# version, exported targets) and evstore.pc. Component "evstore_development" is the library;
# "evstore_tool" the `evstore` command.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(evstore_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/evstore)
set(evstore_libraries evstore_http evstore_aws evstore_dynamodb evstore_s3 evstore_store)
if(TARGET evstore_asio)
  list(APPEND evstore_libraries evstore_asio)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/evstore
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT evstore_development)
install(TARGETS evstore evstore_base ${evstore_libraries}
        EXPORT evstoreTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT evstore_development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT evstoreTargets NAMESPACE evstore:: DESTINATION ${evstore_cmake_dir}
        COMPONENT evstore_development)
install(TARGETS evstore_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT evstore_tool)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/evstoreConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/evstoreConfig.cmake
                              INSTALL_DESTINATION ${evstore_cmake_dir})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/evstoreConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/evstoreConfig.cmake
              ${PROJECT_BINARY_DIR}/evstoreConfigVersion.cmake
        DESTINATION ${evstore_cmake_dir} COMPONENT evstore_development)

# evstore.pc finds its prefix from its own place (${pcfiledir}), so `cmake --install --prefix`
# anywhere gives a working file. The libraries are static: every dependency is in Libs, the
# layers from the top down so a single-pass linker resolves them.
file(RELATIVE_PATH evstore_pc_prefix_from_pcfiledir
     /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" evstore_pc_prefix_from_pcfiledir "${evstore_pc_prefix_from_pcfiledir}")
set(evstore_pc_libs "")
foreach(layer store dynamodb s3 aws http)
  string(APPEND evstore_pc_libs " -levstore_${layer}")
endforeach()
if(TARGET evstore_asio)
  string(APPEND evstore_pc_libs " -levstore_asio")
endif()
# Boost has no pkg-config files: its library directory and libraries by name, from Boost's
# imported targets.
get_target_property(evstore_boost_json Boost::json LOCATION)
get_filename_component(evstore_boost_library_dir "${evstore_boost_json}" DIRECTORY)
set(evstore_pc_boost_libs "")
if(NOT evstore_boost_library_dir MATCHES "^/usr/lib")
  string(APPEND evstore_pc_boost_libs " -L${evstore_boost_library_dir}")
endif()
string(APPEND evstore_pc_boost_libs " -lboost_json -lboost_url")
set(evstore_pc_boost_cflags "")
get_target_property(evstore_boost_include_dirs Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
foreach(dir ${evstore_boost_include_dirs})
  if(NOT dir STREQUAL "/usr/include")
    string(APPEND evstore_pc_boost_cflags " -I${dir}")
  endif()
endforeach()
# Only with EVSTORE_ASIO_SEPARATE_COMPILATION does evstore ask anything of how its consumers
# compile Asio and Beast (separately, as evstore_asio did).
set(evstore_pc_definitions "")
if(TARGET evstore_asio)
  get_target_property(evstore_definitions evstore_asio INTERFACE_COMPILE_DEFINITIONS)
  foreach(definition ${evstore_definitions})
    string(APPEND evstore_pc_definitions " -D${definition}")
  endforeach()
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/evstore.pc.in ${PROJECT_BINARY_DIR}/evstore.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/evstore.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT evstore_development)
