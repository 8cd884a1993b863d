// =============================================================================
// irregular-cell-3d.geo -- 3D spread (adherent) cell with an irregular
//                          footprint and an enclosed nucleus (mvbsim)
// =============================================================================
//
// A flattened cell lying on a substrate (the plane z = 0):
//   * footprint: the irregular outline of irregular-cell-2d.geo scaled by 0.8
//     (closed periodic spline through 14 control points, about 24 um x 16 um),
//     extruded vertically;
//   * height profile: the extruded footprint is cut by the union of
//       - a very flat ellipsoid (the lamella: ~2.2 um thick in the middle,
//         ~0.8-1.3 um at the rim), and
//       - a half-ellipsoidal dome over the nucleus (4.7 um tall, the thickest
//         part of the cell, off-centre towards the left/rear of the cell),
//     and then clipped at z = 0 (flat basal membrane on the substrate);
//   * nucleus: ellipsoid about 8 x 6 x 3 um, tilted by 10 degrees in the
//     substrate plane, centred at (-3.4, 0.45, 2.3), fully enclosed in the
//     cytoplasm (NOT a hole through the cell) with >= ~0.8 um of cytoplasm
//     all around (the tightest spot is below it, above the substrate).
// The meshed domain is the cytoplasm = cell body minus nucleus.  The
// nucleus/cytoplasm interface is produced with BooleanFragments, and the
// nucleus volume itself is then removed (only its surface is kept).
//
// UNITS: micrometres (um).
//
// Physical groups (names are what mvbsim looks up; numeric tags fixed
// explicitly, same as in irregular-cell-2d.geo):
//   Physical Surface("plasma_membrane", 1)  -- all outer surfaces of the cell
//                                              (basal, lateral, apical)
//   Physical Surface("nuclear_envelope", 2) -- the nucleus surface
//   Physical Volume("cytoplasm", 10)        -- the 3D domain
// (no synapse group in 3D)
//
// Mesh: all-HEXAHEDRAL.  A coarse tetrahedral mesh (characteristic length
// 2 um) is split into hexahedra (Mesh.SubdivisionAlgorithm = 2: every tet ->
// 4 hexes, boundary triangles -> 3 quads each).  Mesh.SecondOrderLinear = 1
// keeps the new (edge-midpoint) nodes on the straight tet edges instead of
// snapping them onto the curved CAD surfaces; snapping inverts some hexes in
// the thin rim of the cell.  Result: ~3.6k hexes, ~0.5 MB, all positive
// Jacobians.  Saved as MSH 2.2 ASCII, physical entities only.
//
// Regenerate the mesh (run from scenarios/meshes/):
//   gmsh -3 irregular-cell-3d.geo -o irregular-cell-3d.msh
// =============================================================================

SetFactory("OpenCASCADE");

lc = 2.0;   // tetrahedron size before the tet -> hex split (um)

// ---- footprint: 2D outline scaled by 0.8 (about 24 um x 16 um) --------------
s = 0.8;
Point(1)  = { s*14.4,  s*-3.1, 0};
Point(2)  = { s*15.3,  s* 0.0, 0};
Point(3)  = { s*14.5,  s* 3.0, 0};
Point(4)  = { s*11.2,  s* 6.6, 0};
Point(5)  = { s* 7.0,  s*10.1, 0};   // lamellipodium, top-right
Point(6)  = { s* 2.0,  s* 7.3, 0};   // concavity
Point(7)  = { s*-4.0,  s* 9.8, 0};
Point(8)  = { s*-10.2, s* 8.4, 0};
Point(9)  = { s*-15.0, s* 4.4, 0};   // lamellipodium, left
Point(10) = { s*-14.0, s*-2.6, 0};
Point(11) = { s*-10.4, s*-8.0, 0};
Point(12) = { s*-3.8,  s*-9.4, 0};
Point(13) = { s* 2.2,  s*-6.5, 0};   // concavity
Point(14) = { s* 8.6,  s*-9.9, 0};   // lamellipodium, bottom-right
Spline(1) = {1:14, 1};               // closed periodic spline
Curve Loop(1) = {1};
Plane Surface(1) = {1};
prism() = Extrude{0, 0, 6}{ Surface{1}; };   // prism(1) = the volume
Recursive Delete{ Point{2:14}; }             // unused control points

// ---- height profile ---------------------------------------------------------
// lamella: flat ellipsoid, top at z = 2.2 in the middle, ~1 um at the rim
Sphere(10) = {0, 0, 0, 1};
Dilate{{0, 0, 0}, {22, 13.5, 6.2}}{ Volume{10}; }
Translate{0.5, 0, -4}{ Volume{10}; }

// nuclear dome: half ellipsoid over the nucleus, 4.7 um tall
xn = -3.4; yn = 0.45;       // nucleus position in the substrate plane
zn = 2.3;                   // nucleus centre height
th = 10*Pi/180;             // in-plane tilt of dome and nucleus
Sphere(11) = {0, 0, 0, 1};
Dilate{{0, 0, 0}, {6.8, 5.3, 4.7}}{ Volume{11}; }
Rotate{{0, 0, 1}, {0, 0, 0}, th}{ Volume{11}; }
Translate{xn, yn, 0}{ Volume{11}; }

u() = BooleanUnion{ Volume{10}; Delete; }{ Volume{11}; Delete; };
body() = BooleanIntersection{ Volume{prism(1)}; Delete; }{ Volume{u()}; Delete; };
// clip at the substrate z = 0
Box(20) = {-20, -15, 0, 40, 30, 10};
cell() = BooleanIntersection{ Volume{body()}; Delete; }{ Volume{20}; Delete; };

// ---- nucleus: ellipsoid 8 x 6 x 3 um ---------------------------------------
Sphere(30) = {0, 0, 0, 1};
Dilate{{0, 0, 0}, {4.0, 3.0, 1.5}}{ Volume{30}; }
Rotate{{0, 0, 1}, {0, 0, 0}, th}{ Volume{30}; }
Translate{xn, yn, zn}{ Volume{30}; }

// Fragment (rather than subtract) so that the nucleus surface is shared, then
// drop the nucleus volume.  The nucleus is the only volume not touching the
// substrate, which identifies it robustly (OCC bounding boxes are loose, but
// never smaller than the true ones).
v() = BooleanFragments{ Volume{cell()}; Delete; }{ Volume{30}; Delete; };
nucvol() = Volume In BoundingBox{-50, -50, 0.3, 50, 50, 50};
cyto() = v();
cyto() -= nucvol();
nuc() = Boundary{ Volume{nucvol()}; };
Delete{ Volume{nucvol()}; }          // non-recursive: keeps its surface
pm() = Boundary{ Volume{cyto()}; };
pm() -= nuc();

Physical Surface("plasma_membrane", 1)  = {pm()};
Physical Surface("nuclear_envelope", 2) = {nuc()};
Physical Volume("cytoplasm", 10)        = {cyto()};

// ---- meshing options: tets -> all hexes, MSH 2.2, physical entities only ---
Mesh.CharacteristicLengthMax = lc;
Mesh.CharacteristicLengthMin = 0.3;
Mesh.CharacteristicLengthFromCurvature = 0;
Mesh.Algorithm = 6;                 // 2D: Frontal-Delaunay
Mesh.Algorithm3D = 1;               // 3D: Delaunay (deterministic, unlike HXT)
Mesh.Optimize = 1;
Mesh.OptimizeThreshold = 0.5;       // optimise all tets with quality < 0.5
Mesh.SubdivisionAlgorithm = 2;      // all hexahedra
Mesh.SecondOrderLinear = 1;         // do not snap new nodes to the CAD
Mesh.MshFileVersion = 2.2;
Mesh.Binary = 0;
Mesh.SaveAll = 0;
