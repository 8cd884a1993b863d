#pragma once

#include <physics/coupled_species.h>
#include <physics/mvb_parameters.h>
#include <physics/mvb_state.h>

namespace mvb::physics
{
  /**
   * What the rates of an MVB read of its surroundings: the fields at its
   * position and the lysosome density L(x) there.
   */
  struct Surroundings
  {
    LocalFields fields;
    double      lysosome_density = 1;
  };

  /** What one MVB took from the fields during a step. */
  struct MaturationExchange
  {
    // Amounts taken out of each field (uM um^dim); negative: put in.
    SpeciesValues taken;
  };

  /**
   * The rates and internal dynamics of physics/MODEL.md section 4: each
   * transition T1-T10 is one function here, named after the process, with
   * the perturbation factors applied where the model puts them. Knows
   * nothing about meshes or tracks: where a rate applies (near a
   * microtubule, in the cortex) is decided by the mode graph
   * (physics/mvb_transitions.h) and the stepper.
   */
  class MvbKinetics
  {
  public:
    explicit MvbKinetics(const MvbParameters &parameters);

    const MvbParameters &
    parameters() const
    {
      return prm;
    }

    /** T1, births per second in the cell. */
    double
    birth_rate() const;

    /** T2: binding of a free MVB near a microtubule. */
    double
    microtubule_binding_rate(const MvbState &, const Surroundings &) const;

    /** p_dyn(r) = w_dyn r / (w_dyn r + w_kin g_27b). */
    double
    dynein_share(double rab7) const;

    /**
     * T3, biased by Rab7 both ways: kinesin -> dynein at k_sw p_dyn(r),
     * dynein -> kinesin at k_sw (1 - p_dyn(r)); on a track the stationary
     * share of time on dynein is p_dyn(r).
     */
    double
    switching_rate(const MvbState &state, const Surroundings &) const;

    /** T4: kinesin or dynein -> free. */
    double
    microtubule_unbinding_rate(const MvbState &, const Surroundings &) const;

    /** T5: free MVB in the cortex near an actin filament -> myosin. */
    double
    actin_binding_rate(const MvbState &, const Surroundings &) const;

    /** myosin -> free. */
    double
    actin_unbinding_rate(const MvbState &, const Surroundings &) const;

    /** T6: myosin or free within the docking distance -> docked. */
    double
    docking_rate(const MvbState &, const Surroundings &) const;

    /** T7: docked -> free. */
    double
    undocking_rate(const MvbState &, const Surroundings &) const;

    /** S(c) = (1 - a) + a H(c)/H(c_ref), a = a_Ca g_syt7; S(c_ref) = 1. */
    double
    calcium_factor(double calcium) const;

    /** Phi(chi) = chi^m / (chi*^m + chi^m). */
    double
    fusion_competence(double chi_ilv) const;

    /** T8: k_f0 g_SNARE S(c) Phi(chi_ILV), times f_amph for an amphisome. */
    double
    fusion_rate(const MvbState &state, const Surroundings &here) const;

    /**
     * L(x) = L_min + (1 - L_min) exp(-d/l_lys) at distance @p distance from
     * the MTOC and the nucleus (the nearer of the two).
     */
    double
    lysosome_density(double distance) const;

    /** T9 of an MVB: k_lys L(x) r g_ISG g_V-ATPase; 0 for an amphisome. */
    double
    lysosomal_degradation_rate(const MvbState     &state,
                               const Surroundings &here) const;

    /** T9 of an amphisome: k_amph L(x) g_V-ATPase; 0 for an MVB. */
    double
    amphisomal_degradation_rate(const MvbState     &state,
                                const Surroundings &here) const;

    /** T10: k_auto g_autophagy anywhere; 0 once an amphisome. */
    double
    amphisome_formation_rate(const MvbState &state, const Surroundings &) const;

    /**
     * Cholesterol an MVB holds (uM um^dim): its limiting membrane's chi_LM
     * and its ILVs' chi_ILV N/N_max, in units of the limiting membrane's
     * capacity (MVB/Maturation/Membrane cholesterol capacity).
     */
    double
    cholesterol_content(const MvbState &state) const;

    /** What an MVB holds of each coupled species (uM um^dim). */
    SpeciesValues
    held(const MvbState &state) const;

    /**
     * The coupling rules of physics/MODEL.md sections 3 and 4: what the MVB
     * took in maturation comes out of the fields; at degradation what it
     * holds of a species that returns (cholesterol, NPC1 export,
     * 001 [107]) goes back into its field, the rest is destroyed; at fusion
     * everything leaves the cell with the exosomes and the limiting
     * membrane.
     */
    FieldExchange
    field_exchange(const MaturationExchange &maturation,
                   const MvbState           &state,
                   MvbFate                   fate) const;

    /** A newborn MVB (its cholesterol is taken at its first maturation). */
    MvbState
    newborn() const;

    /**
     * A newborn takes its limiting membrane's cholesterol, chi_LM =
     * min(1, chi_0 h/h_ref), from the cholesterol field at its position.
     */
    void
    take_birth_cholesterol(MvbState           &state,
                           const LocalFields  &fields,
                           MaturationExchange &exchange) const;

    /** dN_E/dt and dN_C/dt at N = 0 (ILVs/s): the routes' drives. */
    std::array<double, 2>
    ilv_drives(const LocalFields &fields) const;

    /**
     * ILV formation by route, cargo and label into the ILVs, cholesterol
     * from the limiting membrane into the ILVs and from the cytosol into
     * the limiting membrane, Rab7 and age over @p dt with the fields held
     * constant. Each ODE is integrated exactly (exponentials); they are
     * split in that order.
     */
    void
    mature(MvbState           &state,
           const LocalFields  &fields,
           double              dt,
           MaturationExchange &exchange) const;

  private:
    const MvbParameters prm;
  };
} // namespace mvb::physics
