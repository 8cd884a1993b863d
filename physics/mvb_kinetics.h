#pragma once

#include <physics/mvb_parameters.h>

namespace mvb::physics
{
  /** Modes of a living MVB (model.md section 4). */
  enum class MvbMode : unsigned int
  {
    free    = 0,
    kinesin = 1,
    dynein  = 2,
    myosin  = 3,
    docked  = 4
  };

  constexpr unsigned int n_mvb_modes = 5;

  /** "free", "kinesin", "dynein", "myosin", "docked". */
  const char *
  mode_name(MvbMode mode);

  /** How an MVB leaves the cell. */
  enum class MvbFate
  {
    alive,
    fused,   // T8: exosomes released at the plasma membrane
    degraded // T9: lysosomal or autophagic degradation
  };

  /**
   * The state of one MVB besides its position. `track` and `arc` mean
   * something only in the bound modes (kinesin, dynein, myosin).
   */
  struct MvbState
  {
    MvbMode mode      = MvbMode::free;
    int     track     = -1;
    double  arc       = 0; // um from the track's minus (pointed) end
    double  ilv_count = 0; // N
    double  cargo     = 0; // q, uM um^3
    double  chi_lm    = 0; // limiting-membrane cholesterol, 0-1
    double  chi_ilv   = 0; // ILV cholesterol, 0-1
    double  rab7      = 0; // r, 0-1
    double  age       = 0; // s
  };

  /**
   * The state as plain numbers, for messages between ranks and
   * checkpoints: mode, track, arc, ilv_count, cargo, chi_lm, chi_ilv, rab7,
   * age, in this order.
   */
  constexpr unsigned int n_mvb_state_values = 9;

  void
  write_state_values(const MvbState &state, double *values);

  MvbState
  read_state_values(const double *values);

  /** Field values at an MVB: the one interface between fields and MVBs. */
  struct LocalFields
  {
    double calcium     = 0; // uM
    double cholesterol = 0; // uM
    double cargo       = 0; // uM
  };

  /** What one MVB took from the fields during a step. */
  struct MaturationExchange
  {
    double cargo_taken        = 0; // uM um^3, into ILVs
    double cholesterol_uptake = 0; // increase of chi_LM from the cytosol
  };

  /**
   * Amounts (uM um^3 in 3D, uM um^2 in 2D) one MVB puts into the cargo and
   * cholesterol fields at its position in one step; negative: takes out.
   */
  struct FieldExchange
  {
    double cargo       = 0;
    double cholesterol = 0;
  };

  /**
   * The rates and internal dynamics of model.md section 4: each rate of the
   * table T1-T9 is one function here, named after the process, with the
   * perturbation factors applied where the model puts them. Knows nothing
   * about meshes or tracks: where a rate applies (near a microtubule, in
   * the cortex, in the lysosome zone) is the stepper's business.
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
    microtubule_binding_rate() const;

    /** T2: p_dyn = w_dyn r / (w_dyn r + w_kin g_27b). */
    double
    dynein_share(double rab7) const;

    /** T3: kinesin -> dynein (@p mode kinesin) or dynein -> kinesin. */
    double
    switching_rate(MvbMode mode) const;

    /** T4: kinesin or dynein -> free. */
    double
    microtubule_unbinding_rate() const;

    /** T5: free MVB in the cortex near an actin filament -> myosin. */
    double
    actin_binding_rate() const;

    /** myosin -> free. */
    double
    actin_unbinding_rate() const;

    /** T6: myosin or free within the docking distance -> docked. */
    double
    docking_rate() const;

    /** T7: docked -> free. */
    double
    undocking_rate() const;

    /** S(c) = (1 - a) + a H(c)/H(c_rest), a = a_Ca g_syt7; S(c_rest) = 1. */
    double
    calcium_factor(double calcium) const;

    /** Phi(chi) = chi^m / (chi*^m + chi^m). */
    double
    fusion_competence(double chi_ilv) const;

    /** T8: k_f0 g_SNARE S(c) Phi(chi_ILV). */
    double
    fusion_rate(const MvbState &state, const LocalFields &fields) const;

    /** T9 in the lysosome zone: k_lys r (1 + g_ISG) g_V + k_auto g_auto. */
    double
    degradation_rate(const MvbState &state) const;

    /** Whether T9 can happen at all (its rate at full Rab7 activity > 0). */
    bool
    may_degrade() const;

    /**
     * Cholesterol an MVB holds (uM um^dim): its limiting membrane's chi_LM
     * and its ILVs' chi_ILV N/N_max, in units of the limiting membrane's
     * capacity (MVB/Maturation/Membrane cholesterol capacity).
     */
    double
    cholesterol_content(const MvbState &state) const;

    /**
     * The coupling rules of model.md sections 3 and 4: cargo loaded into
     * ILVs and cholesterol taken into the limiting membrane come out of
     * the fields; at degradation the MVB's cholesterol goes back into the
     * cytosol (NPC1 export, 001 [107]) and its cargo is destroyed; at
     * fusion everything leaves the cell with the exosomes and the limiting
     * membrane.
     */
    FieldExchange
    field_exchange(const MaturationExchange &maturation,
                   const MvbState           &state,
                   MvbFate                   fate) const;

    /** A newborn MVB. */
    MvbState
    newborn() const;

    /**
     * ILV formation, cholesterol uptake and transfer into ILVs, Rab7 and
     * age over @p dt with the fields held constant. Each linear ODE is
     * integrated exactly (exponentials); they are split in that order.
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
