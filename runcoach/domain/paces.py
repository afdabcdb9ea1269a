"""Jack Daniels' VDOT model: one number for a runner's fitness, race predictions and training zones.

Pure: standard library and pydantic only. Two curves fitted by Daniels and Gilbert (1979) carry
the whole model:

- the oxygen cost of running at v m/min: VO2(v) = -4.60 + 0.182258 v + 0.000104 v²  (ml/kg/min);
- the fraction of VO2max a runner can hold for t minutes:
  f(t) = 0.8 + 0.1894393 e^(-0.012778 t) + 0.2989558 e^(-0.1932605 t).

A race of d metres in t minutes gives VDOT = VO2(d/t) / f(t). Daniels' published tables are this
formula evaluated, so it reproduces them to within seconds. Speeds inside this module are m/min
(the curves' unit); what leaves it is km/h, seconds and seconds per kilometre.
"""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from runcoach.domain.errors import InvalidInput

# Oxygen cost: VO2 = _C + _B v + _A v².
_A = 0.000104
_B = 0.182258
_C = -4.60

#: The model is fitted to races from 1500 m to the marathon; the upper bound leaves room for a
#: GPS-measured marathon that came out long and for a 50 km, where it still predicts sensibly.
MIN_RACE_M = 1500.0
MAX_RACE_M = 50_000.0
#: Below 15 a "race" is a walk, which the running-economy curve does not describe; the men's world
#: records sit near 85, so above 90 the input is a typo, not an athlete.
MIN_VDOT = 15.0
MAX_VDOT = 90.0

MILE_M = 1609.344


class Zone(StrEnum):
    """Daniels' five training intensities; the values are his letters, which the API uses as keys."""

    EASY = "E"
    MARATHON = "M"
    THRESHOLD = "T"
    INTERVAL = "I"
    REPETITION = "R"


class Race(StrEnum):
    """The races every runner asks about; the values are the API's keys."""

    FIVE_K = "5k"
    TEN_K = "10k"
    HALF = "half"
    MARATHON = "marathon"


RACE_DISTANCE_M: dict[Race, float] = {
    Race.FIVE_K: 5000.0,
    Race.TEN_K: 10_000.0,
    Race.HALF: 21_097.5,
    Race.MARATHON: 42_195.0,
}

#: Zones set by intensity, as fractions of VO2max. E: Daniels' text gives 59-74 %, but the E paces
#: printed in his tables are 62-70 % on this oxygen-cost curve, and the tables are what runners
#: compare us with. T: 83-88 %; the table's single T pace is the fast end (about one hour's race
#: pace). I: 95-100 %; the table's I pace is the middle. R: see `_REPETITION_BAND`.
_EASY_BAND = (0.62, 0.70)
_THRESHOLD_BAND = (0.83, 0.88)
_INTERVAL_BAND = (0.95, 1.00)
#: Daniels sets R from current mile race pace. For VDOT 45 to 60 that pace is 105-110 % of VO2max
#: on these curves (VDOT 50's table R, 88 s per 400 m, sits in it), so R is that fixed band rather
#: than the predicted mile itself: the model's mile prediction sinks to I pace at low VDOT (98.5 %
#: of VO2max at VDOT 20) and would leave beginners no R zone distinct from I.
_REPETITION_BAND = (1.05, 1.10)
#: M is a race pace, not an intensity band: the predicted marathon speed, give or take 2 %.
_MARATHON_SPREAD = 0.02
#: `vdot_from_easy_pace` reads a given easy pace as the middle of E (in oxygen cost).
EASY_MIDDLE = sum(_EASY_BAND) / 2


class SpeedRange(BaseModel):
    """A zone as treadmill speeds; the paces are the same range read as seconds per kilometre."""

    model_config = ConfigDict(frozen=True)

    min_kmh: float
    max_kmh: float

    @property
    def fast_pace_s_per_km(self) -> float:
        return 3600.0 / self.max_kmh

    @property
    def slow_pace_s_per_km(self) -> float:
        return 3600.0 / self.min_kmh


class Paces(BaseModel):
    """A runner's VDOT with everything derived from it; `model_dump(mode="json")` is the API's body."""

    model_config = ConfigDict(frozen=True)

    vdot: float
    zones: dict[Zone, SpeedRange]
    predictions_s: dict[Race, int]


def oxygen_cost(speed_m_per_min: float) -> float:
    """VO2 (ml/kg/min) of running at this speed on the flat."""
    # v * v, not v**2: a float power overflows with an error where a product quietly gives inf.
    return _C + _B * speed_m_per_min + _A * speed_m_per_min * speed_m_per_min


def speed_at_oxygen_cost(vo2: float) -> float:
    """The speed (m/min) whose oxygen cost is `vo2`: the positive root of the cost quadratic."""
    # The root written as 2c / (b + sqrt(b² + 4ac)) avoids subtracting two nearly equal numbers.
    excess = vo2 - _C
    return 2.0 * excess / (_B + math.sqrt(_B * _B + 4.0 * _A * excess))


def sustainable_fraction(minutes: float) -> float:
    """The fraction of VO2max a runner can hold for a race lasting `minutes`."""
    return 0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)


def vdot_from_race(distance_m: float, time_s: float) -> float:
    """The VDOT of a race result: the VO2max a runner of average economy needs to run it."""
    _check_distance(distance_m)
    _check_positive("time_s", time_s, "The time")
    minutes = time_s / 60.0
    if minutes == 0.0:  # the tiniest positive floats underflow to zero here: no race is that fast
        raise InvalidInput("time_s", f"{_race(distance_m, time_s)} is faster than anyone has run it.")
    vdot = oxygen_cost(distance_m / minutes) / sustainable_fraction(minutes)
    if not vdot <= MAX_VDOT:  # `not <=` also catches an infinite or undefined result
        raise InvalidInput("time_s", f"{_race(distance_m, time_s)} is faster than anyone has run it.")
    if vdot < MIN_VDOT:
        raise InvalidInput(
            "time_s", f"{_race(distance_m, time_s)} is a walk, not a race; VDOT needs a race run hard."
        )
    return vdot


def predict_time_s(vdot: float, distance_m: float) -> float:
    """The race time (s) over `distance_m` that a runner of this VDOT can run.

    Solves VO2(d/t) = vdot * f(t) for t by fixed-point iteration t <- d / speed(vdot * f(t)).
    Over the allowed VDOTs and distances the step shrinks an error at least tenfold (f changes
    slowly against the speed it sets), so a dozen deterministic steps reach float precision.
    """
    _check_vdot(vdot)
    _check_distance(distance_m)
    minutes = distance_m / speed_at_oxygen_cost(vdot * 0.9)  # a first guess within ~20 %
    for _ in range(50):
        previous, minutes = minutes, distance_m / speed_at_oxygen_cost(vdot * sustainable_fraction(minutes))
        if abs(minutes - previous) <= 1e-12 * minutes:
            break
    return minutes * 60.0


def training_zones(vdot: float) -> dict[Zone, SpeedRange]:
    """Daniels' five zones for this VDOT as exact speed ranges, slowest zone first."""
    _check_vdot(vdot)
    marathon_kmh = RACE_DISTANCE_M[Race.MARATHON] / predict_time_s(vdot, RACE_DISTANCE_M[Race.MARATHON]) * 3.6
    return {
        Zone.EASY: _band(vdot, _EASY_BAND),
        Zone.MARATHON: SpeedRange(
            min_kmh=marathon_kmh * (1 - _MARATHON_SPREAD), max_kmh=marathon_kmh * (1 + _MARATHON_SPREAD)
        ),
        Zone.THRESHOLD: _band(vdot, _THRESHOLD_BAND),
        Zone.INTERVAL: _band(vdot, _INTERVAL_BAND),
        Zone.REPETITION: _band(vdot, _REPETITION_BAND),
    }


def vdot_from_easy_pace(pace_s_per_km: float) -> float:
    """A VDOT for a runner with no race result, read from their usual easy pace.

    Assumes the pace is the middle of their E zone (66 % of VO2max in oxygen cost). Runners
    often jog easy days slower than E, so this tends to underestimate: replace it with a race.
    """
    _check_positive("pace_s_per_km", pace_s_per_km, "The easy pace")
    vdot = oxygen_cost(60_000.0 / pace_s_per_km) / EASY_MIDDLE
    if not vdot <= MAX_VDOT:
        raise InvalidInput(
            "pace_s_per_km", f"An easy pace of {clock(pace_s_per_km)}/km is faster than anyone's easy pace."
        )
    if vdot < MIN_VDOT:
        raise InvalidInput(
            "pace_s_per_km", f"An easy pace of {clock(pace_s_per_km)}/km is a walk; give a running pace."
        )
    return vdot


def paces_for(vdot: float) -> Paces:
    """Everything the pace screen and `GET /api/paces` show, derived from `vdot` rounded to 0.1.

    Deriving from the rounded value keeps the answer consistent with the VDOT it shows:
    `paces_for(paces_for(x).vdot) == paces_for(x)`. Speeds are rounded to 0.01 km/h (under
    0.1 %), predictions to whole seconds as in Daniels' tables.
    """
    _check_vdot(vdot)
    shown = round(vdot, 1)
    zones = {
        zone: SpeedRange(min_kmh=round(r.min_kmh, 2), max_kmh=round(r.max_kmh, 2))
        for zone, r in training_zones(shown).items()
    }
    predictions = {race: round(predict_time_s(shown, d)) for race, d in RACE_DISTANCE_M.items()}
    return Paces(vdot=shown, zones=zones, predictions_s=predictions)


def _band(vdot: float, fractions: tuple[float, float]) -> SpeedRange:
    low, high = (speed_at_oxygen_cost(vdot * f) * 0.06 for f in fractions)  # m/min -> km/h
    return SpeedRange(min_kmh=low, max_kmh=high)


def _check_positive(field: str, value: float, what: str) -> None:
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(field, f"{what} must be a positive number.")


def _check_distance(distance_m: float) -> None:
    _check_positive("distance_m", distance_m, "The distance")
    if not MIN_RACE_M <= distance_m <= MAX_RACE_M:
        raise InvalidInput(
            "distance_m",
            f"VDOT is defined for races from {MIN_RACE_M:.0f} m to {MAX_RACE_M / 1000:.0f} km, "
            f"not {distance_m:.0f} m.",
        )


def _check_vdot(vdot: float) -> None:
    if not MIN_VDOT <= vdot <= MAX_VDOT:  # false for NaN too
        raise InvalidInput("vdot", f"VDOT must lie between {MIN_VDOT:.0f} and {MAX_VDOT:.0f}.")


def _race(distance_m: float, time_s: float) -> str:
    return f"{distance_m:.0f} m in {clock(time_s)}"


def clock(seconds: float) -> str:
    """A race time or a pace as runners write it: h:mm:ss or m:ss, to the nearest second."""
    if seconds >= 100 * 3600:
        return "over 100 hours"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
