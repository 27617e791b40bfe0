# librdkafka >= RDKAFKA_MIN_VERSION (scripts/lib/common.sh), linked statically from the prefix
# that scripts/setup-deps builds from Debian 13's source package: Debian 12's librdkafka 2.0.2
# cannot log in with SCRAM-SHA-512 to Kafka 4.x brokers (confluentinc/librdkafka#4895).
#
# Defines two imported targets, from the prefix's rdkafka-static.pc and rdkafka++-static.pc only
# (never the system's rdkafka.pc / rdkafka++.pc or /usr/include/librdkafka):
#   vsink::rdkafka     the C API (librdkafka.a + libssl, libcrypto, libzstd, liblz4, zlib)
#   vsink::rdkafka++   the C++ API (librdkafka++.a, then vsink::rdkafka)
#
# VSINK_RDKAFKA_PREFIX selects the prefix; left empty (the default), every configure takes the
# newest complete $VSINK_CACHE/librdkafka-<version> (else ~/.cache/vibe-sink/librdkafka-<version>)
# of at least the minimum version, so a newer build by scripts/setup-deps is picked up.

file(STRINGS ${PROJECT_SOURCE_DIR}/scripts/lib/common.sh _vsink_min REGEX "^RDKAFKA_MIN_VERSION=[0-9.]+$")
string(REGEX REPLACE "^RDKAFKA_MIN_VERSION=" "" VSINK_RDKAFKA_MIN_VERSION "${_vsink_min}")
if(NOT VSINK_RDKAFKA_MIN_VERSION MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+$")
  message(FATAL_ERROR " cannot read RDKAFKA_MIN_VERSION from scripts/lib/common.sh")
endif()

set(VSINK_RDKAFKA_PREFIX "" CACHE PATH
    "librdkafka >= ${VSINK_RDKAFKA_MIN_VERSION} prefix with rdkafka++-static.pc (empty: the newest scripts/setup-deps built)")

# One line, never wrapped by CMake (the leading space keeps it as it is).
macro(_vsink_rdkafka_refuse what)
  message(FATAL_ERROR " ${what}; vibe-sink needs >= ${VSINK_RDKAFKA_MIN_VERSION}"
                      " (SCRAM-SHA-512 login to Kafka 4.x): run scripts/setup-deps")
endmacro()

# The version in an rdkafka.h (RD_KAFKA_VERSION 0xMMmmrrxx) as MAJOR.MINOR.REVISION, or "".
function(_vsink_rdkafka_header_version header out)
  set(v "")
  if(EXISTS "${header}")
    file(STRINGS "${header}" d REGEX "^#define[ \t]+RD_KAFKA_VERSION[ \t]+0x[0-9a-fA-F]+")
    if(d MATCHES "0x([0-9a-fA-F][0-9a-fA-F])([0-9a-fA-F][0-9a-fA-F])([0-9a-fA-F][0-9a-fA-F])[0-9a-fA-F][0-9a-fA-F]")
      math(EXPR major "0x${CMAKE_MATCH_1}")
      math(EXPR minor "0x${CMAKE_MATCH_2}")
      math(EXPR rev "0x${CMAKE_MATCH_3}")
      set(v "${major}.${minor}.${rev}")
    endif()
  endif()
  set(${out} "${v}" PARENT_SCOPE)
endfunction()

if(VSINK_RDKAFKA_PREFIX)
  set(_vsink_rk_prefix "${VSINK_RDKAFKA_PREFIX}")
else()
  if(NOT "$ENV{VSINK_CACHE}" STREQUAL "")
    set(_vsink_rk_cache "$ENV{VSINK_CACHE}")
  else()
    set(_vsink_rk_cache "$ENV{HOME}/.cache/vibe-sink")
  endif()
  file(GLOB _vsink_rk_candidates LIST_DIRECTORIES true "${_vsink_rk_cache}/librdkafka-[0-9]*")
  set(_vsink_rk_prefix "")
  set(_vsink_rk_best "")
  set(_vsink_rk_older "")
  foreach(_c IN LISTS _vsink_rk_candidates)
    # .complete is written last by scripts/setup-deps: an interrupted build is never taken.
    if(NOT EXISTS "${_c}/.complete" OR NOT EXISTS "${_c}/lib/pkgconfig/rdkafka++-static.pc")
      continue()
    endif()
    string(REGEX REPLACE ".*/librdkafka-" "" _v "${_c}")
    if(_v VERSION_LESS VSINK_RDKAFKA_MIN_VERSION)
      set(_vsink_rk_older "librdkafka ${_v} found at ${_c}")
    elseif(NOT _vsink_rk_best OR _v VERSION_GREATER _vsink_rk_best)
      set(_vsink_rk_best "${_v}")
      set(_vsink_rk_prefix "${_c}")
    endif()
  endforeach()
  if(NOT _vsink_rk_prefix)
    if(_vsink_rk_older)
      _vsink_rdkafka_refuse("${_vsink_rk_older}")
    endif()
    _vsink_rdkafka_header_version(/usr/include/librdkafka/rdkafka.h _v)
    if(_v)
      _vsink_rdkafka_refuse("librdkafka ${_v} found at /usr/include/librdkafka, none in ${_vsink_rk_cache}/librdkafka-*")
    endif()
    _vsink_rdkafka_refuse("no librdkafka found in ${_vsink_rk_cache}/librdkafka-*")
  endif()
endif()

set(_vsink_rk_pcdir "${_vsink_rk_prefix}/lib/pkgconfig")
if(NOT EXISTS "${_vsink_rk_pcdir}/rdkafka-static.pc" OR NOT EXISTS "${_vsink_rk_pcdir}/rdkafka++-static.pc")
  _vsink_rdkafka_refuse("no librdkafka at ${_vsink_rk_prefix} (no lib/pkgconfig/rdkafka++-static.pc)")
endif()
_vsink_rdkafka_header_version("${_vsink_rk_prefix}/include/librdkafka/rdkafka.h" VSINK_RDKAFKA_VERSION)
if(NOT VSINK_RDKAFKA_VERSION)
  _vsink_rdkafka_refuse("no librdkafka/rdkafka.h with RD_KAFKA_VERSION in ${_vsink_rk_prefix}/include")
endif()
if(VSINK_RDKAFKA_VERSION VERSION_LESS VSINK_RDKAFKA_MIN_VERSION)
  _vsink_rdkafka_refuse("librdkafka ${VSINK_RDKAFKA_VERSION} found at ${_vsink_rk_prefix}")
endif()

# pkg-config on the prefix's own .pc files (given by path; their Requires: rdkafka-static
# resolves in the prefix first, the system's zlib/libssl/libzstd/liblz4 .pc files after it).
# Returns the archives (full paths, in link order), the other link items and the include dirs.
function(_vsink_rdkafka_pc pc out_archives out_libs out_includes)
  set(path "${_vsink_rk_pcdir}")
  if(NOT "$ENV{PKG_CONFIG_PATH}" STREQUAL "")
    string(APPEND path ":$ENV{PKG_CONFIG_PATH}")
  endif()
  foreach(what modversion libs cflags-only-I)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env "PKG_CONFIG_PATH=${path}"
                            ${PKG_CONFIG_EXECUTABLE} --${what} "${_vsink_rk_pcdir}/${pc}"
                    OUTPUT_VARIABLE o ERROR_VARIABLE e RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
      string(REGEX REPLACE "[\r\n]+" " " e "${e}")
      _vsink_rdkafka_refuse("pkg-config --${what} ${_vsink_rk_pcdir}/${pc} failed: ${e}")
    endif()
    set(pc_${what} "${o}")
  endforeach()
  if(NOT pc_modversion VERSION_EQUAL VSINK_RDKAFKA_VERSION)
    _vsink_rdkafka_refuse("${pc} says ${pc_modversion} but rdkafka.h says ${VSINK_RDKAFKA_VERSION} in ${_vsink_rk_prefix}")
  endif()
  separate_arguments(tokens UNIX_COMMAND "${pc_libs}")
  set(archives "")
  set(libs "")
  foreach(t IN LISTS tokens)
    if(t MATCHES "^-L")
      continue()
    elseif(t MATCHES "\\.a$")
      string(REGEX REPLACE "^//+" "/" t "${t}")  # pkgconf's ${pc_sysrootdir} is "/"
      list(APPEND archives "${t}")
    else()
      list(APPEND libs "${t}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES archives)
  list(REMOVE_DUPLICATES libs)
  separate_arguments(tokens UNIX_COMMAND "${pc_cflags-only-I}")
  set(includes "")
  foreach(t IN LISTS tokens)
    string(REGEX REPLACE "^-I" "" t "${t}")
    list(APPEND includes "${t}")
  endforeach()
  set(${out_archives} "${archives}" PARENT_SCOPE)
  set(${out_libs} "${libs}" PARENT_SCOPE)
  set(${out_includes} "${includes}" PARENT_SCOPE)
endfunction()

_vsink_rdkafka_pc(rdkafka-static.pc _vsink_rk_c_archives _vsink_rk_c_libs _vsink_rk_c_includes)
_vsink_rdkafka_pc(rdkafka++-static.pc _vsink_rk_cxx_archives _vsink_rk_cxx_libs _vsink_rk_cxx_includes)
set(_vsink_rk_c_archive "${_vsink_rk_prefix}/lib/librdkafka.a")
set(_vsink_rk_cxx_archive "${_vsink_rk_prefix}/lib/librdkafka++.a")
if(NOT _vsink_rk_c_archives STREQUAL _vsink_rk_c_archive
   OR NOT _vsink_rk_cxx_archives STREQUAL "${_vsink_rk_cxx_archive};${_vsink_rk_c_archive}")
  _vsink_rdkafka_refuse("the .pc files in ${_vsink_rk_pcdir} do not link ${_vsink_rk_cxx_archive} and ${_vsink_rk_c_archive} (not a static build from scripts/setup-deps?)")
endif()
foreach(_a ${_vsink_rk_cxx_archives})
  if(NOT EXISTS "${_a}")
    _vsink_rdkafka_refuse("${_a} is missing")
  endif()
endforeach()
list(REMOVE_ITEM _vsink_rk_cxx_libs ${_vsink_rk_c_libs})

add_library(vsink::rdkafka STATIC IMPORTED GLOBAL)
set_target_properties(vsink::rdkafka PROPERTIES
  IMPORTED_LOCATION "${_vsink_rk_c_archive}"
  IMPORTED_LINK_INTERFACE_LANGUAGES C
  INTERFACE_INCLUDE_DIRECTORIES "${_vsink_rk_c_includes}"
  INTERFACE_LINK_LIBRARIES "${_vsink_rk_c_libs}")
add_library(vsink::rdkafka++ STATIC IMPORTED GLOBAL)
set_target_properties(vsink::rdkafka++ PROPERTIES
  IMPORTED_LOCATION "${_vsink_rk_cxx_archive}"
  IMPORTED_LINK_INTERFACE_LANGUAGES CXX
  INTERFACE_INCLUDE_DIRECTORIES "${_vsink_rk_cxx_includes}"
  INTERFACE_LINK_LIBRARIES "vsink::rdkafka;${_vsink_rk_cxx_libs}")

# Prove what the compiler and the linker take: rdkafka.h of at least the minimum version (not
# /usr/include/librdkafka's 2.0.2 first) and a complete static link. Once per prefix and build.
file(TIMESTAMP "${_vsink_rk_c_archive}" _vsink_rk_stamp "%s" UTC)
set(_vsink_rk_signature "${_vsink_rk_prefix}|${VSINK_RDKAFKA_VERSION}|${_vsink_rk_stamp}")
if(NOT VSINK_RDKAFKA_CHECKED STREQUAL _vsink_rk_signature)
  string(REPLACE "." ";" _v "${VSINK_RDKAFKA_MIN_VERSION}")
  list(GET _v 0 _maj)
  list(GET _v 1 _min)
  list(GET _v 2 _rev)
  math(EXPR _vsink_rk_min_hex "(${_maj} << 24) | (${_min} << 16) | (${_rev} << 8) | 255" OUTPUT_FORMAT HEXADECIMAL)
  try_compile(_vsink_rk_ok
    SOURCE_FROM_CONTENT vsink_rdkafka_check.cpp "
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
static_assert(RD_KAFKA_VERSION >= ${_vsink_rk_min_hex}, \"rdkafka.h older than ${VSINK_RDKAFKA_MIN_VERSION}\");
int main() { return RdKafka::version() >= ${_vsink_rk_min_hex} && rd_kafka_version() >= ${_vsink_rk_min_hex} ? 0 : 1; }
"
    LINK_LIBRARIES vsink::rdkafka++
    CXX_STANDARD 17
    OUTPUT_VARIABLE _vsink_rk_out)
  if(NOT _vsink_rk_ok)
    file(WRITE "${CMAKE_BINARY_DIR}/CMakeFiles/vsink-rdkafka-check.log" "${_vsink_rk_out}")
    _vsink_rdkafka_refuse("librdkafka ${VSINK_RDKAFKA_VERSION} at ${_vsink_rk_prefix} does not compile or link statically (see ${CMAKE_BINARY_DIR}/CMakeFiles/vsink-rdkafka-check.log)")
  endif()
  set(VSINK_RDKAFKA_CHECKED "${_vsink_rk_signature}" CACHE INTERNAL "prefix|version|stamp of the last librdkafka checked")
endif()
message(STATUS "librdkafka ${VSINK_RDKAFKA_VERSION} (static): ${_vsink_rk_prefix}")

# The names the CMake files used when librdkafka came from Debian's pkg-config files, so that a
# target still naming them links this same build.
add_library(PkgConfig::RDKAFKA ALIAS vsink::rdkafka++)
add_library(PkgConfig::RDKAFKA_C ALIAS vsink::rdkafka)
