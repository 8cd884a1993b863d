// =============================================================================
// missing-nucleus-2d.geo -- tiny INVALID-for-mvbsim test mesh (tests/data)
// =============================================================================
// A 12 um x 10 um rectangular "cell" WITHOUT a nucleus: a valid all-quad
// (structured 12 x 10) MSH 2.2 mesh whose only physical groups are
// "plasma_membrane" and "cytoplasm".  There is no "nuclear_envelope" group,
// which mvbsim must REJECT with a clear error.
//
// UNITS: micrometres (um).
// Physical groups:  Curve "plasma_membrane" (1), Surface "cytoplasm" (10)
//
// Regenerate (run from tests/data/):
//   gmsh -2 missing-nucleus-2d.geo -o missing-nucleus-2d.msh
// =============================================================================
Point(1) = {-6, -5, 0};  Point(2) = { 6, -5, 0};
Point(3) = { 6,  5, 0};  Point(4) = {-6,  5, 0};
Line(1) = {1, 2}; Line(2) = {2, 3}; Line(3) = {3, 4}; Line(4) = {4, 1};
Curve Loop(1) = {1, 2, 3, 4};
Plane Surface(1) = {1};
Transfinite Curve{1, 3} = 13;   // 12 elements along x
Transfinite Curve{2, 4} = 11;   // 10 elements along y
Transfinite Surface{1};
Recombine Surface{1};

Physical Curve("plasma_membrane", 1) = {1, 2, 3, 4};
Physical Surface("cytoplasm", 10)    = {1};

Mesh.MshFileVersion = 2.2;
Mesh.Binary = 0;
Mesh.SaveAll = 0;
