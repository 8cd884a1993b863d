#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <array>
#include <vector>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * The tensor-product Lagrange basis on [0,1]^dim through given 1D nodes,
   * numbered lexicographically (x fastest): the shape functions of FE_Q(p)
   * and of a degree-p MappingQ, evaluated at one point at a time without
   * FEValues. Both the point locator and the field sampling at MVBs use it,
   * once or a few times per MVB step, so it allocates nothing and does the
   * sum-factorised work of (p+1)^dim terms.
   */
  template <int dim>
  class TensorProductLagrange
  {
  public:
    /** Most nodes per direction (degree 4). */
    static constexpr unsigned int max_nodes = 5;

    TensorProductLagrange() = default;

    /** @p nodes: the 1D nodes in [0,1], increasing, 2 to max_nodes. */
    explicit TensorProductLagrange(const std::vector<double> &nodes);

    unsigned int
    n_nodes_1d() const
    {
      return n;
    }

    unsigned int
    n_functions() const
    {
      unsigned int m = 1;
      for (unsigned int d = 0; d < dim; ++d)
        m *= n;
      return m;
    }

    /** The node of lexicographic index @p i. */
    Point<dim>
    node(unsigned int i) const;

    /**
     * Every basis function at @p x into @p values (n_functions() entries,
     * lexicographic).
     */
    void
    values(const Point<dim> &x, double *values) const;

    /** sum_k c_k phi_k(x) for coefficients @p c (lexicographic) of type T
     * (double, or a Point for a mapping). */
    template <typename T>
    T
    value(const T *c, const Point<dim> &x) const;

    /**
     * The map x -> sum_k X_k phi_k(x) of points @p X (a mapping's support
     * points) and its Jacobian J_ij = d F_i / d x_j, on plain numbers: the
     * inner loop of Newton's method for reference points.
     */
    void
    map_and_jacobian(const Point<dim> *X,
                     const Point<dim> &x,
                     Point<dim>       &F,
                     Tensor<2, dim>   &J) const;

  private:
    template <unsigned int N>
    void
    map_and_jacobian(const Point<dim> *X,
                     const Point<dim> &x,
                     Point<dim>       &F,
                     Tensor<2, dim>   &J) const;

    /** The 1D basis and its derivative at @p t. */
    void
    basis_1d(double t, double *phi, double *dphi) const;

    unsigned int                  n = 0;
    std::array<double, max_nodes> nodes{};
    std::array<double, max_nodes> weights{}; // 1 / prod_{j != i} (t_i - t_j)
  };

  template <int dim>
  inline TensorProductLagrange<dim>::TensorProductLagrange(
    const std::vector<double> &points)
      : n(points.size())
  {
    AssertThrow(n >= 2 && n <= max_nodes,
                ExcMessage("TensorProductLagrange: 2 to 5 nodes"));
    for (unsigned int i = 0; i < n; ++i)
      nodes[i] = points[i];
    for (unsigned int i = 0; i < n; ++i)
      {
        double product = 1;
        for (unsigned int j = 0; j < n; ++j)
          if (j != i)
            product *= nodes[i] - nodes[j];
        weights[i] = 1. / product;
      }
  }

  template <int dim>
  inline Point<dim>
  TensorProductLagrange<dim>::node(unsigned int i) const
  {
    Point<dim> p;
    for (unsigned int d = 0; d < dim; ++d, i /= n)
      p[d] = nodes[i % n];
    return p;
  }

  template <int dim>
  inline void
  TensorProductLagrange<dim>::basis_1d(const double t,
                                       double      *phi,
                                       double      *dphi) const
  {
    // phi_i(t) = w_i prod_{j != i} (t - t_j), as the product of the
    // partial products from the left and from the right; the derivative by
    // the product rule, with the partial products' derivatives.
    std::array<double, max_nodes> left, right, dleft, dright;
    left[0]  = 1;
    dleft[0] = 0;
    for (unsigned int j = 1; j < n; ++j)
      {
        left[j]  = left[j - 1] * (t - nodes[j - 1]);
        dleft[j] = dleft[j - 1] * (t - nodes[j - 1]) + left[j - 1];
      }
    right[n - 1]  = 1;
    dright[n - 1] = 0;
    for (unsigned int j = n - 1; j > 0; --j)
      {
        right[j - 1]  = right[j] * (t - nodes[j]);
        dright[j - 1] = dright[j] * (t - nodes[j]) + right[j];
      }
    for (unsigned int i = 0; i < n; ++i)
      phi[i] = weights[i] * left[i] * right[i];
    if (dphi != nullptr)
      for (unsigned int i = 0; i < n; ++i)
        dphi[i] = weights[i] * (dleft[i] * right[i] + left[i] * dright[i]);
  }

  template <int dim>
  inline void
  TensorProductLagrange<dim>::values(const Point<dim> &x, double *out) const
  {
    std::array<std::array<double, max_nodes>, dim> phi;
    for (unsigned int d = 0; d < dim; ++d)
      basis_1d(x[d], phi[d].data(), nullptr);
    unsigned int k = 0;
    if constexpr (dim == 1)
      for (unsigned int i = 0; i < n; ++i)
        out[k++] = phi[0][i];
    else if constexpr (dim == 2)
      for (unsigned int j = 0; j < n; ++j)
        for (unsigned int i = 0; i < n; ++i)
          out[k++] = phi[0][i] * phi[1][j];
    else
      for (unsigned int l = 0; l < n; ++l)
        for (unsigned int j = 0; j < n; ++j)
          {
            const double yz = phi[1][j] * phi[2][l];
            for (unsigned int i = 0; i < n; ++i)
              out[k++] = phi[0][i] * yz;
          }
  }

  template <int dim>
  template <typename T>
  inline T
  TensorProductLagrange<dim>::value(const T *c, const Point<dim> &x) const
  {
    std::array<std::array<double, max_nodes>, dim> phi;
    for (unsigned int d = 0; d < dim; ++d)
      basis_1d(x[d], phi[d].data(), nullptr);
    T                  result = T();
    const unsigned int n_z    = (dim == 3 ? n : 1);
    const unsigned int n_y    = (dim >= 2 ? n : 1);
    for (unsigned int l = 0, k = 0; l < n_z; ++l)
      {
        T plane = T();
        for (unsigned int j = 0; j < n_y; ++j)
          {
            T line = T();
            for (unsigned int i = 0; i < n; ++i, ++k)
              line += phi[0][i] * c[k];
            plane += (dim >= 2 ? phi[1][j] : 1.) * line;
          }
        result += (dim == 3 ? phi[2][l] : 1.) * plane;
      }
    return result;
  }

  template <int dim>
  template <unsigned int N>
  inline void
  TensorProductLagrange<dim>::map_and_jacobian(const Point<dim> *X,
                                               const Point<dim> &x,
                                               Point<dim>       &F,
                                               Tensor<2, dim>   &J) const
  {
    static_assert(dim == 2 || dim == 3, "2D and 3D only");
    std::array<std::array<double, max_nodes>, dim> phi, dphi;
    for (unsigned int d = 0; d < dim; ++d)
      basis_1d(x[d], phi[d].data(), dphi[d].data());
    // value[c], and gradient[c][j] = d/dx_j of component c.
    double                 value[dim] = {}, gradient[dim][dim] = {};
    constexpr unsigned int n_z = (dim == 3 ? N : 1);
    for (unsigned int l = 0, k = 0; l < n_z; ++l)
      {
        double plane[dim] = {}, plane_dx[dim] = {}, plane_dy[dim] = {};
        for (unsigned int j = 0; j < N; ++j)
          {
            double line[dim] = {}, line_dx[dim] = {};
            for (unsigned int i = 0; i < N; ++i, ++k)
              for (unsigned int c = 0; c < dim; ++c)
                {
                  line[c] += phi[0][i] * X[k][c];
                  line_dx[c] += dphi[0][i] * X[k][c];
                }
            for (unsigned int c = 0; c < dim; ++c)
              {
                plane[c] += phi[1][j] * line[c];
                plane_dx[c] += phi[1][j] * line_dx[c];
                plane_dy[c] += dphi[1][j] * line[c];
              }
          }
        const double z = (dim == 3 ? phi[dim - 1][l] : 1.);
        for (unsigned int c = 0; c < dim; ++c)
          {
            value[c] += z * plane[c];
            gradient[c][0] += z * plane_dx[c];
            gradient[c][1] += z * plane_dy[c];
            if constexpr (dim == 3)
              gradient[c][2] += dphi[2][l] * plane[c];
          }
      }
    for (unsigned int c = 0; c < dim; ++c)
      {
        F[c] = value[c];
        for (unsigned int j = 0; j < dim; ++j)
          J[c][j] = gradient[c][j];
      }
  }

  template <int dim>
  inline void
  TensorProductLagrange<dim>::map_and_jacobian(const Point<dim> *X,
                                               const Point<dim> &x,
                                               Point<dim>       &F,
                                               Tensor<2, dim>   &J) const
  {
    // The number of nodes known at compile time: the loops unroll.
    switch (n)
      {
        case 2:
          return map_and_jacobian<2>(X, x, F, J);
        case 3:
          return map_and_jacobian<3>(X, x, F, J);
        case 4:
          return map_and_jacobian<4>(X, x, F, J);
        default:
          return map_and_jacobian<5>(X, x, F, J);
      }
  }
} // namespace mvb::mesh
