// =============================================================================
// corrupt-2d.geo -- source of the CORRUPT test mesh corrupt-2d.msh (tests/data)
// =============================================================================
// A 12 um x 10 um rectangular "cell" with a 4 um x 4 um square nucleus and the
// correct groups ("plasma_membrane" (1), "nuclear_envelope" (2),
// "cytoplasm" (10)), meshed with quads.  The full mesh is valid; corrupt-2d.msh
// keeps only its first 40% of lines, so the file ends in the middle of the
// $Nodes section (no $EndNodes, no $Elements).  mvbsim must REJECT it with a
// clear error instead of crashing.
//
// UNITS: micrometres (um).
//
// Regenerate (run from tests/data/; the full mesh has 455 lines, keep 182):
//   gmsh -2 corrupt-2d.geo -o /tmp/corrupt-2d-full.msh
//   head -n 182 /tmp/corrupt-2d-full.msh > corrupt-2d.msh
// =============================================================================
lc = 1.0;
Point(1) = {-6, -5, 0, lc};  Point(2) = { 6, -5, 0, lc};
Point(3) = { 6,  5, 0, lc};  Point(4) = {-6,  5, 0, lc};
Line(1) = {1, 2}; Line(2) = {2, 3}; Line(3) = {3, 4}; Line(4) = {4, 1};
Point(5) = {-4, -2, 0, lc};  Point(6) = { 0, -2, 0, lc};
Point(7) = { 0,  2, 0, lc};  Point(8) = {-4,  2, 0, lc};
Line(5) = {5, 6}; Line(6) = {6, 7}; Line(7) = {7, 8}; Line(8) = {8, 5};
Curve Loop(1) = {1, 2, 3, 4};
Curve Loop(2) = {5, 6, 7, 8};
Plane Surface(1) = {1, 2};

Physical Curve("plasma_membrane", 1)  = {1, 2, 3, 4};
Physical Curve("nuclear_envelope", 2) = {5, 6, 7, 8};
Physical Surface("cytoplasm", 10)     = {1};

Mesh.Algorithm = 6;
Mesh.RecombinationAlgorithm = 2;   // simple full-quad: no triangle left
Mesh.RecombineAll = 1;
Recombine Surface{1};
Mesh.MshFileVersion = 2.2;
Mesh.Binary = 0;
Mesh.SaveAll = 0;
