#===- AddQOpt.cmake - helpers for qopt libraries -------------------------===#
#
# Libraries are built with add_mlir_library(DISABLE_INSTALL), as CIRCT does,
# and installed into qopt's own export set so that `find_package(QOpt)`
# gives consumers QOpt::<lib> targets instead of polluting MLIRTargets.
#
#===----------------------------------------------------------------------===#
set_property(GLOBAL PROPERTY QOPT_EXPORTED_LIBS "")

# add_qopt_library(name sources... [DEPENDS ...] [LINK ...])
function(add_qopt_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
    DISABLE_INSTALL
    DEPENDS ${ARG_DEPENDS})
  # mlir_target_link_libraries swaps every listed library for libMLIR.so in
  # dylib mode, so qopt's own libraries are linked separately.
  set(own_libs)
  set(mlir_libs)
  foreach(lib ${ARG_LINK})
    if(lib MATCHES "^QOpt")
      list(APPEND own_libs ${lib})
    else()
      list(APPEND mlir_libs ${lib})
    endif()
  endforeach()
  if(own_libs)
    target_link_libraries(${name} PUBLIC ${own_libs})
  endif()
  if(mlir_libs)
    mlir_target_link_libraries(${name} PUBLIC ${mlir_libs})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  install(TARGETS ${name} EXPORT QOptTargets
    ARCHIVE DESTINATION lib LIBRARY DESTINATION lib)
  set_property(GLOBAL APPEND PROPERTY QOPT_EXPORTED_LIBS ${name})
endfunction()
