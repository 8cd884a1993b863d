#!/usr/bin/env bash
# Installs every Debian 12 package mvbsim needs to build, run and test.
# Run as root (or through sudo); it is safe to run again.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake git
  # deal.II 9.4 with MPI, PETSc (hypre), p4est, HDF5, Gmsh, muparser, SUNDIALS
  libdeal.ii-dev
  openmpi-bin libopenmpi-dev libhdf5-openmpi-dev
  # tests, random numbers, meshes
  catch2 librandom123-dev gmsh
  # plots and HDF5 inspection from Python
  python3 python3-h5py python3-numpy python3-matplotlib
  # the ParaView test (tests/paraview): pvpython is in python3-paraview, which
  # paraview only recommends; it renders under xvfb-run, which needs xauth
  paraview python3-paraview xvfb xauth
  # formatting
  clang-format
)

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${packages[@]}"
