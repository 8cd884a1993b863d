// =============================================================================
// unknown-group-2d.geo -- tiny INVALID-for-mvbsim test mesh (tests/data)
// =============================================================================
// A 12 um x 10 um rectangular "cell" with two square holes: a nucleus and a
// mitochondrion.  The mesh itself is a perfectly valid all-quad MSH 2.2 mesh,
// but it carries an extra boundary group, "mitochondria", that mvbsim does not
// know and must REJECT with a clear error.
//
// UNITS: micrometres (um).
// Physical groups:  Curve "plasma_membrane" (1), Curve "nuclear_envelope" (2),
//                   Curve "mitochondria" (4)  <-- unknown to mvbsim,
//                   Surface "cytoplasm" (10)
//
// Regenerate (run from tests/data/):
//   gmsh -2 unknown-group-2d.geo -o unknown-group-2d.msh
// =============================================================================
lc = 1.0;
// outer boundary (plasma membrane)
Point(1) = {-6, -5, 0, lc};  Point(2) = { 6, -5, 0, lc};
Point(3) = { 6,  5, 0, lc};  Point(4) = {-6,  5, 0, lc};
Line(1) = {1, 2}; Line(2) = {2, 3}; Line(3) = {3, 4}; Line(4) = {4, 1};
// nucleus: square hole 4 x 4 um, left of centre
Point(5) = {-4, -2, 0, lc};  Point(6) = { 0, -2, 0, lc};
Point(7) = { 0,  2, 0, lc};  Point(8) = {-4,  2, 0, lc};
Line(5) = {5, 6}; Line(6) = {6, 7}; Line(7) = {7, 8}; Line(8) = {8, 5};
// mitochondrion: square hole 2 x 2 um, right of centre
Point(9)  = {2, -1, 0, lc};  Point(10) = {4, -1, 0, lc};
Point(11) = {4,  1, 0, lc};  Point(12) = {2,  1, 0, lc};
Line(9) = {9, 10}; Line(10) = {10, 11}; Line(11) = {11, 12}; Line(12) = {12, 9};
Curve Loop(1) = {1, 2, 3, 4};
Curve Loop(2) = {5, 6, 7, 8};
Curve Loop(3) = {9, 10, 11, 12};
Plane Surface(1) = {1, 2, 3};

Physical Curve("plasma_membrane", 1)  = {1, 2, 3, 4};
Physical Curve("nuclear_envelope", 2) = {5, 6, 7, 8};
Physical Curve("mitochondria", 4)     = {9, 10, 11, 12};
Physical Surface("cytoplasm", 10)     = {1};

Mesh.Algorithm = 6;
Mesh.RecombinationAlgorithm = 2;   // simple full-quad: no triangle left
Mesh.RecombineAll = 1;
Recombine Surface{1};
Mesh.MshFileVersion = 2.2;
Mesh.Binary = 0;
Mesh.SaveAll = 0;
