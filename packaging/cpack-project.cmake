# Read by cpack for each generator. `cpack -D CPACK_VSINK_PACKAGE_RELEASE=N` makes a package
# of a higher release from the same build (the packaging test's upgrade).
set(CPACK_DEBIAN_PACKAGE_RELEASE "${CPACK_VSINK_PACKAGE_RELEASE}")
set(CPACK_RPM_PACKAGE_RELEASE "${CPACK_VSINK_PACKAGE_RELEASE}")
# The deb generator strips the binaries itself, moving their debug info into the
# vibe-sink-dbgsym .ddeb (/usr/lib/debug/.build-id/xx/yyyy.debug): it needs them unstripped.
# The rpm ships them stripped (CPACK_STRIP_FILES), without a debuginfo package.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_STRIP_FILES OFF)
endif()
