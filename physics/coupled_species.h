#pragma once

#include <physics/enum_table.h>

#include <array>
#include <cstddef>

namespace mvb::physics
{
  /**
   * The fields MVBs read and exchange (physics/MODEL.md sections 3 and 4),
   * described once: field sampling, the MVBs' exchange with the fields,
   * balances, statistics columns and checkpoints loop over this table.
   * Adding a coupled species is a new enumerator, a row of
   * coupled_species_table, and the lines of physics that use it.
   */
  enum class CoupledSpecies : unsigned int
  {
    calcium,
    cholesterol,
    cargo,
    label
  };

  /** What happens to the amount an MVB holds when it is degraded. */
  enum class AtDegradation
  {
    not_held,  // the MVBs hold none of it (Ca2+ is only read)
    destroyed, // lysosomal hydrolysis: it leaves the books as "degraded"
    returned   // it goes back into the field at the MVB's position
  };

  struct CoupledSpeciesInfo
  {
    CoupledSpecies species;
    // The field's name (SpeciesModel::name) and the stem of its columns.
    const char   *name;
    AtDegradation at_degradation;

    /** Whether MVBs take it from and give it to the field. */
    constexpr bool
    exchanged() const
    {
      return at_degradation != AtDegradation::not_held;
    }
  };

  inline constexpr std::array<CoupledSpeciesInfo, 4> coupled_species_table = {
    {{CoupledSpecies::calcium, "calcium", AtDegradation::not_held},
     {CoupledSpecies::cholesterol, "cholesterol", AtDegradation::returned},
     {CoupledSpecies::cargo, "cargo", AtDegradation::destroyed},
     {CoupledSpecies::label, "label", AtDegradation::destroyed}}};

  inline constexpr unsigned int n_coupled_species =
    coupled_species_table.size();

  static_assert(in_enum_order(coupled_species_table,
                              &CoupledSpeciesInfo::species),
                "coupled_species_table must list the species in enum order");

  constexpr const CoupledSpeciesInfo &
  info(const CoupledSpecies s)
  {
    return coupled_species_table[static_cast<unsigned int>(s)];
  }

  /** One number per coupled species, indexed by the species. */
  struct SpeciesValues
  {
    std::array<double, n_coupled_species> values{};

    double &
    operator[](const CoupledSpecies s)
    {
      return values[static_cast<unsigned int>(s)];
    }

    double
    operator[](const CoupledSpecies s) const
    {
      return values[static_cast<unsigned int>(s)];
    }

    double &
    operator[](const unsigned int i)
    {
      return values[i];
    }

    double
    operator[](const unsigned int i) const
    {
      return values[i];
    }

    SpeciesValues &
    operator+=(const SpeciesValues &other)
    {
      for (unsigned int i = 0; i < n_coupled_species; ++i)
        values[i] += other.values[i];
      return *this;
    }
  };

  /** Field values at an MVB (uM): the one interface from fields to MVBs. */
  using LocalFields = SpeciesValues;

  /**
   * Amounts (uM um^3 in 3D, uM um^2 in 2D) an MVB puts into each field at
   * its position in one step; negative: takes out. Zero for Ca2+.
   */
  using FieldExchange = SpeciesValues;
} // namespace mvb::physics
