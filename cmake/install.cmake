# `cmake --install`: headers, the layer libraries, the CMake package evstore::evstore (config,
# version, exported targets) and evstore.pc. Component "evstore_development" is the library;
# "evstore_tool" the `evstore` command.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(evstore_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/evstore)
set(evstore_libraries evstore_http evstore_aws evstore_dynamodb evstore_s3 evstore_store)

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
# Boost has no pkg-config files: its library directory and libraries by name.
set(evstore_pc_boost_libs "")
foreach(dir ${Boost_LIBRARY_DIRS})
  string(APPEND evstore_pc_boost_libs " -L${dir}")
endforeach()
string(APPEND evstore_pc_boost_libs " -lboost_json -lboost_url")
set(evstore_pc_boost_cflags "")
foreach(dir ${Boost_INCLUDE_DIRS})
  if(NOT dir STREQUAL "/usr/include")
    string(APPEND evstore_pc_boost_cflags " -I${dir}")
  endif()
endforeach()
# The same definitions evstore_base gives CMake consumers: Asio and Beast are compiled once,
# into libevstore_http, so consumers must see declarations only.
get_target_property(evstore_definitions evstore_base INTERFACE_COMPILE_DEFINITIONS)
set(evstore_pc_definitions "")
foreach(definition ${evstore_definitions})
  string(APPEND evstore_pc_definitions " -D${definition}")
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/evstore.pc.in ${PROJECT_BINARY_DIR}/evstore.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/evstore.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT evstore_development)
