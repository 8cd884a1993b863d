#pragma once

#include <Random123/philox.h>

#include <array>

#include <cmath>
#include <cstdint>

namespace mvb
{
  /**
   * What a random number is for. Each purpose has its own stream, so adding
   * a draw for one purpose never shifts the numbers of another. Values are
   * part of the output's definition: append, never renumber.
   */
  enum class RandomPurpose : std::uint32_t
  {
    birth_count       = 1,
    birth_position    = 2,
    events            = 3, // waiting times and which transition fires
    brownian          = 4,
    track_choice      = 5,
    microtubule_shape = 6,
    actin_placement   = 7,
    initial_state     = 8,
  };

  /**
   * Reproducible random numbers: the k-th number drawn for (seed, subject,
   * step, purpose) is the Philox4x32-10 block cipher (Random123) applied to
   * that tuple and k. Nothing is stored between calls, so an MVB draws the
   * same numbers on whichever rank it lives and however many ranks run.
   * `subject` is an MVB id, a track id, or population_subject for
   * draws that belong to the whole cell (births).
   */
  class RandomStream
  {
  public:
    static constexpr std::uint64_t population_subject = ~std::uint64_t(0);

    RandomStream(const std::uint64_t seed,
                 const std::uint64_t subject,
                 const std::uint64_t step,
                 const RandomPurpose purpose)
        : key{{static_cast<std::uint32_t>(seed),
               static_cast<std::uint32_t>(seed >> 32)}}
        , counter{{static_cast<std::uint32_t>(subject),
                   static_cast<std::uint32_t>(subject >> 32),
                   static_cast<std::uint32_t>(step),
                   // Last word: purpose (8 bits), bits 32-39 of the step
                   // (40 bits of steps: 10^4 years at 0.25 ms), and the
                   // block number (16 bits, added by refill()).
                   (static_cast<std::uint32_t>(purpose) << 24) |
                     (static_cast<std::uint32_t>((step >> 32) & 0xffu) << 16)}}
    {
    }

    /** Uniform in the open interval (0, 1), 53 random bits. */
    double
    uniform()
    {
      if (used == 2)
        refill();
      const std::uint64_t bits =
        (std::uint64_t(block[2 * used]) << 32) | block[2 * used + 1];
      ++used;
      // (m + 1/2) / 2^53 with m < 2^53: never 0, never 1.
      return (double(bits >> 11) + 0.5) * 0x1.0p-53;
    }

    /** Standard normal (Box-Muller; the second value is kept for later). */
    double
    normal()
    {
      if (has_spare)
        {
          has_spare = false;
          return spare;
        }
      const double r     = std::sqrt(-2. * std::log(uniform()));
      const double theta = 2. * M_PI * uniform();
      spare              = r * std::sin(theta);
      has_spare          = true;
      return r * std::cos(theta);
    }

    /** Exponential waiting time of a process of total rate @p rate (> 0). */
    double
    exponential(const double rate)
    {
      return -std::log(uniform()) / rate;
    }

    /** Poisson number with mean @p mean, by inversion (in parts of 500). */
    unsigned int
    poisson(const double mean)
    {
      // Inversion of the CDF from k = 0; exp(-mean) underflows beyond about
      // 745, so a large mean is split into parts of at most 500: a sum of
      // independent Poisson numbers is Poisson with the summed mean.
      constexpr double largest_part = 500;
      unsigned int     k            = 0;
      double           rest         = mean;
      for (; rest > largest_part; rest -= largest_part)
        k += poisson_by_inversion(largest_part);
      return k + poisson_by_inversion(rest);
    }

  private:
    unsigned int
    poisson_by_inversion(const double mean)
    {
      if (mean <= 0)
        return 0;
      const double u   = uniform();
      double       p   = std::exp(-mean);
      double       cdf = p;
      unsigned int k   = 0;
      while (u > cdf && p > 0)
        {
          ++k;
          p *= mean / k;
          cdf += p;
        }
      return k;
    }

    void
    refill()
    {
      const r123::Philox4x32::ctr_type c = {
        {counter[0],
         counter[1],
         counter[2],
         counter[3] | (n_blocks & 0xffffu)}};
      // 65536 blocks (131072 numbers) per tuple: far beyond any draw.
      ++n_blocks;
      const auto r = generator(c, key);
      for (unsigned int i = 0; i < 4; ++i)
        block[i] = r.v[i];
      used = 0;
    }

    r123::Philox4x32                   generator;
    const r123::Philox4x32::key_type   key;
    const std::array<std::uint32_t, 4> counter;
    std::uint32_t                      n_blocks  = 0; // blocks drawn so far
    std::uint32_t                      block[4]  = {0, 0, 0, 0};
    unsigned int                       used      = 2; // doubles used of block
    double                             spare     = 0;
    bool                               has_spare = false;
  };
} // namespace mvb
