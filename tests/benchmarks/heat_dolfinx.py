#!/usr/bin/env python3
"""The heat step of heat_benchmark in dolfinx (Debian's python3-dolfinx,
0.5), as a user would write it there: the unit cube of N^3 hexahedra, P1,
D = 1, decay k = 0.1, unit inward flux on the whole boundary, initial value
exp(-50 |x - (1/2, 1/2, 1/2)|^2), implicit Euler with dt = 0.01, the matrix
assembled once, CG with PETSc's GAMG (or hypre's BoomerAMG) to rtol 1e-8
on the unpreconditioned residual, from the last step's solution (as
mvbsim's CG). Times are the slowest rank's.

Usage: mpirun -np R /usr/bin/python3 heat_dolfinx.py [N] [STEPS]
                                                     [gamg|boomeramg]
Prints ms per step (right-hand side, solve), CG iterations, set-up, peak
memory and the integral of u at the end, and a BENCHMARK line with the keys
of heat_benchmark's.
"""
import resource
import sys
import time

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

import ufl
from dolfinx import fem, mesh
from dolfinx.fem.petsc import assemble_matrix, assemble_vector, create_vector


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 37
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    pc = sys.argv[3] if len(sys.argv) > 3 else "gamg"
    if pc not in ("gamg", "boomeramg"):
        sys.exit(f"heat_dolfinx.py: error: preconditioner '{pc}': "
                 f"gamg or boomeramg")
    comm = MPI.COMM_WORLD
    start = time.perf_counter()
    msh = mesh.create_unit_cube(comm, n, n, n, mesh.CellType.hexahedron)
    V = fem.FunctionSpace(msh, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    u_old = fem.Function(V)
    u_old.interpolate(lambda x: np.exp(-50 * ((x[0] - .5) ** 2
                                             + (x[1] - .5) ** 2
                                             + (x[2] - .5) ** 2)))
    dt, D, k = 0.01, 1.0, 0.1
    a = fem.form((1 + dt * k) * u * v * ufl.dx
                 + dt * D * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx)
    L = fem.form(u_old * v * ufl.dx + dt * 1.0 * v * ufl.ds)
    A = assemble_matrix(a)
    A.assemble()
    b = create_vector(L)
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(A)
    ksp.setType("cg")
    if pc == "gamg":
        ksp.getPC().setType("gamg")
    else:
        ksp.getPC().setType("hypre")
        ksp.getPC().setHYPREType("boomeramg")
    ksp.setTolerances(rtol=1e-8)
    # As mvbsim's CG: stop on the unpreconditioned residual, start from the
    # last step's solution.
    ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
    ksp.setInitialGuessNonzero(True)
    # The preconditioner is set up here, not in the first solve: heat_benchmark
    # leaves its AMG set-up out of the steps too.
    ksp.setUp()
    u_h = fem.Function(V)
    setup = time.perf_counter() - start

    iterations, t_rhs, t_solve = 0, 0.0, 0.0
    loop = time.perf_counter()
    for _ in range(steps):
        c0 = time.perf_counter()
        with b.localForm() as local:
            local.set(0)
        assemble_vector(b, L)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD,
                      mode=PETSc.ScatterMode.REVERSE)
        c1 = time.perf_counter()
        ksp.solve(b, u_h.vector)
        u_h.x.scatter_forward()
        t_solve += time.perf_counter() - c1
        t_rhs += c1 - c0
        iterations += ksp.getIterationNumber()
        u_old.x.array[:] = u_h.x.array
    loop = time.perf_counter() - loop
    integral = comm.allreduce(fem.assemble_scalar(fem.form(u_h * ufl.dx)),
                              op=MPI.SUM)
    peak = comm.allreduce(resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024, op=MPI.SUM)
    slowest = comm.allreduce(loop, op=MPI.MAX)
    t_rhs = comm.allreduce(t_rhs, op=MPI.MAX)
    t_solve = comm.allreduce(t_solve, op=MPI.MAX)
    dofs = V.dofmap.index_map.size_global
    if comm.rank == 0:
        ms = 1000 / steps
        print(f"dolfinx heat step: unit cube, {n}^3 hexahedra, P1, {dofs} "
              f"DoFs, {comm.size} MPI ranks, CG + {pc}, {steps} steps")
        print(f"  ms per step {slowest * ms:.1f} (right-hand side "
              f"{t_rhs * ms:.1f}, solve {t_solve * ms:.1f}), CG iterations "
              f"{iterations / steps:.2f}, set-up {setup:.2f} s, peak memory "
              f"{peak:.1f} MB, integral of u {integral:.6f}")
        print(f"BENCHMARK code=dolfinx-{pc} n={n} ranks={comm.size} "
              f"dofs={dofs} steps={steps} ms_step={slowest * ms:.3f} "
              f"ms_rhs={t_rhs * ms:.3f} ms_solve={t_solve * ms:.3f} "
              f"its={iterations / steps:.3f} s_setup={setup:.3f} "
              f"peak_MB={peak:.1f} integral={integral:.6f}")


if __name__ == "__main__":
    main()
