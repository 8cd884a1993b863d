#pragma once

#include <array>
#include <cstddef>

namespace mvb::physics
{
  /**
   * Whether the rows of @p table list their enumerators (the member
   * @p key) in enum order, so that a row is found by its enumerator's
   * value: the check behind every table of kinds (species, modes).
   */
  template <typename Row, std::size_t n, typename Key>
  constexpr bool
  in_enum_order(const std::array<Row, n> &table, Key Row::*key)
  {
    for (std::size_t i = 0; i < n; ++i)
      if (static_cast<std::size_t>(table[i].*key) != i)
        return false;
    return true;
  }
} // namespace mvb::physics
