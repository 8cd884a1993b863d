#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <algorithm>
#include <array>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * Flat facets of a triangulated surface (segments in 2D, triangles in
   * 3D): the closest point to a query point. Shared by the membrane
   * surfaces and the cell locator's distance to a cell's faces.
   */
  /** Where on segment [a, b] the closest point to x lies, from 0 to 1. */
  template <int dim>
  inline double
  closest_fraction(const Point<dim> &a,
                   const Point<dim> &b,
                   const Point<dim> &x)
  {
    const Tensor<1, dim> e  = b - a;
    const double         ee = e * e;
    return ee > 0 ? std::clamp(((x - a) * e) / ee, 0.0, 1.0) : 0.0;
  }

  template <int dim>
  inline Point<dim>
  closest_on_segment(const Point<dim> &a,
                     const Point<dim> &b,
                     const Point<dim> &x)
  {
    return a + closest_fraction(a, b, x) * (b - a);
  }

  inline Point<2>
  closest_on_facet(const std::array<Point<2>, 2> &s, const Point<2> &x)
  {
    return closest_on_segment(s[0], s[1], x);
  }

  // Ericson, Real-Time Collision Detection, 5.1.5.
  inline Point<3>
  closest_on_facet(const std::array<Point<3>, 3> &t, const Point<3> &p)
  {
    const Point<3>    &a = t[0], &b = t[1], &c = t[2];
    const Tensor<1, 3> ab = b - a, ac = c - a, ap = p - a;
    const double       d1 = ab * ap, d2 = ac * ap;
    if (d1 <= 0 && d2 <= 0)
      return a;
    const Tensor<1, 3> bp = p - b;
    const double       d3 = ab * bp, d4 = ac * bp;
    if (d3 >= 0 && d4 <= d3)
      return b;
    const double vc = d1 * d4 - d3 * d2;
    if (vc <= 0 && d1 >= 0 && d3 <= 0)
      return a + (d1 / (d1 - d3)) * ab;
    const Tensor<1, 3> cp = p - c;
    const double       d5 = ab * cp, d6 = ac * cp;
    if (d6 >= 0 && d5 <= d6)
      return c;
    const double vb = d5 * d2 - d1 * d6;
    if (vb <= 0 && d2 >= 0 && d6 <= 0)
      return a + (d2 / (d2 - d6)) * ac;
    const double va = d3 * d6 - d5 * d4;
    if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0)
      return b + ((d4 - d3) / ((d4 - d3) + (d5 - d6))) * (c - b);
    const double denominator = 1.0 / (va + vb + vc);
    return a + ab * (vb * denominator) + ac * (vc * denominator);
  }
} // namespace mvb::mesh
