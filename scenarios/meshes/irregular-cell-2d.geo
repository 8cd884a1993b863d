// =============================================================================
// irregular-cell-2d.geo -- 2D adherent cell with an irregular outline (mvbsim)
// =============================================================================
//
// A "real-looking" adherent cell seen from above: the outline is a smooth,
// closed, periodic interpolating spline through 14 control points, with a few
// lamellipodia-like bulges (top-right, bottom-right, left) and shallow
// concavities between them.  Overall size is about 30 um x 20 um, centred near
// the origin.  An off-centre nucleus (smooth, slightly irregular ellipse-like
// closed spline, about 10 um x 7 um, tilted) sits strictly inside, at least
// ~2 um from the outline everywhere.  The meshed domain is the cytoplasm,
// i.e. the region between the outline and the nucleus.
//
// UNITS: micrometres (um).
//
// Physical groups (names are what mvbsim looks up; each boundary curve is in
// exactly ONE group).  The numeric tags are fixed explicitly and shared with
// irregular-cell-3d.geo (they become deal.II boundary / material ids):
//   Physical Curve("plasma_membrane", 1)  -- the outline, minus the synapse
//   Physical Curve("nuclear_envelope", 2) -- the nucleus curve
//   Physical Curve("synapse", 3)          -- ~6.4 um stretch of the outline on
//                                            the right-hand side, far (~14 um)
//                                            from the nucleus
//   Physical Surface("cytoplasm", 10)     -- the 2D domain (outline minus
//                                            nucleus)
//
// Mesh: all-QUADRILATERAL (deal.II's parallel::distributed::Triangulation
// accepts quads only), target element size ~1.5 um (~330 quads).  Frontal-
// Delaunay triangulation + the "simple full-quad" recombination
// (Mesh.RecombinationAlgorithm = 2): gmsh triangulates at twice the target
// size, recombines, then splits every remaining triangle/quad into quads, so
// no triangle can be left.  (Mesh.SubdivisionAlgorithm = 1 is deliberately NOT
// used on top of that: it would subdivide a second time, giving 4x more
// elements and worse angles.)  Frontal-Delaunay-for-quads (Mesh.Algorithm = 8)
// is not used because gmsh 4.8.4 segfaults on this geometry with it.
// Saved as MSH 2.2 ASCII, physical entities only (Mesh.SaveAll = 0).
//
// Regenerate the mesh (run from scenarios/meshes/):
//   gmsh -2 irregular-cell-2d.geo -o irregular-cell-2d.msh
// =============================================================================

SetFactory("OpenCASCADE");

lc = 1.5;   // target element size (um)

// ---- cell outline: 14 control points, counter-clockwise ---------------------
// Points 1..3 bound the synapse patch (right side, far from the nucleus).
Point(1)  = {  14.4,  -3.1, 0, lc};   // synapse start
Point(2)  = {  15.3,   0.0, 0, lc};   // (synapse, interior control point)
Point(3)  = {  14.5,   3.0, 0, lc};   // synapse end
Point(4)  = {  11.2,   6.6, 0, lc};
Point(5)  = {   7.0,  10.1, 0, lc};   // lamellipodium, top-right
Point(6)  = {   2.0,   7.3, 0, lc};   // concavity
Point(7)  = {  -4.0,   9.8, 0, lc};
Point(8)  = { -10.2,   8.4, 0, lc};
Point(9)  = { -15.0,   4.4, 0, lc};   // lamellipodium, left
Point(10) = { -14.0,  -2.6, 0, lc};
Point(11) = { -10.4,  -8.0, 0, lc};
Point(12) = {  -3.8,  -9.4, 0, lc};
Point(13) = {   2.2,  -6.5, 0, lc};   // concavity
Point(14) = {   8.6,  -9.9, 0, lc};   // lamellipodium, bottom-right

// Closed (periodic, C2-smooth) interpolating spline through all 14 points.
Spline(1) = {1:14, 1};

// ---- nucleus: off-centre, tilted, slightly irregular ellipse-like spline ----
// roughly 10 um x 7 um, centred near (-4.3, 0.6).
Point(21) = {   0.6,   1.9, 0, lc};
Point(22) = {  -1.5,   3.9, 0, lc};
Point(23) = {  -5.0,   4.4, 0, lc};
Point(24) = {  -8.2,   2.6, 0, lc};
Point(25) = {  -9.1,  -0.6, 0, lc};
Point(26) = {  -7.0,  -2.8, 0, lc};
Point(27) = {  -3.4,  -3.2, 0, lc};
Point(28) = {  -0.2,  -1.6, 0, lc};
Spline(2) = {21:28, 21};

Curve Loop(1) = {1};
Curve Loop(2) = {2};
Plane Surface(1) = {1, 2};

// ---- split the outline at points 1 and 3 (both lie exactly on the spline) --
// The fragment operation cuts the outline edge into the synapse patch
// (through point 2) and the rest of the plasma membrane.
Point(31) = {  14.4,  -3.1, 0, lc};
Point(32) = {  14.5,   3.0, 0, lc};
v() = BooleanFragments{ Surface{1}; Delete; }{ Point{31, 32}; Delete; };

// Identify the boundary curves geometrically (robust to OCC renumbering).
eps = 1e-3;
syn() = Curve In BoundingBox{ 14.0 - eps, -3.2 - eps, -eps, 15.6, 3.1 + eps, eps };
nuc() = Curve In BoundingBox{ -9.6, -3.6, -eps, 1.0, 4.8, eps };
all() = Curve{:};
pm()  = all();
pm() -= syn();
pm() -= nuc();

// Drop the now-unused spline control points (they are free OCC vertices).
Recursive Delete{ Point{2, 4:14, 22:28}; }

Physical Curve("plasma_membrane", 1)  = {pm()};
Physical Curve("synapse", 3)          = {syn()};
Physical Curve("nuclear_envelope", 2) = {nuc()};
Physical Surface("cytoplasm", 10)     = {Surface{:}};

// ---- meshing options: all-quad, MSH 2.2, physical entities only ------------
MeshSize{ PointsOf{ Surface{:}; } } = lc;
Mesh.CharacteristicLengthMax = lc;
Mesh.CharacteristicLengthFromCurvature = 0;
Mesh.Algorithm = 6;                 // Frontal-Delaunay
Mesh.RecombinationAlgorithm = 2;    // simple full-quad (all quads guaranteed)
Mesh.RecombineAll = 1;
Recombine Surface{:};
Mesh.SubdivisionAlgorithm = 0;      // full-quad already subdivides once
Mesh.Smoothing = 5;
Mesh.MshFileVersion = 2.2;
Mesh.Binary = 0;
Mesh.SaveAll = 0;
