"""The schedule generator's solver: HiGHS through highspy (ADR 0091).

The only module that imports highspy. It takes the solver-neutral `LinearProgram` built by
`hotline.analytics.wfm.schedule` and returns a `MipSolution`; with `relax=True` it solves the
LP relaxation, whose value bounds every schedule from below.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import numpy.typing as npt

from hotline.analytics.wfm.schedule import LinearProgram, MipSolution

__all__ = ["HighsSolver"]

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
}


class HighsSolver:
    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads

    def solve(
        self,
        program: LinearProgram,
        *,
        time_limit_s: float,
        relative_gap: float,
        relax: bool,
        start: npt.NDArray[np.float64] | None = None,
    ) -> MipSolution:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(time_limit_s))
        h.setOptionValue("mip_rel_gap", float(relative_gap))
        h.setOptionValue("threads", int(self.threads))
        h.setOptionValue("random_seed", 1)
        lp = highspy.HighsLp()
        lp.num_col_ = program.columns
        lp.num_row_ = program.rows
        lp.col_cost_ = program.cost
        lp.col_lower_ = program.lower
        lp.col_upper_ = np.where(np.isinf(program.upper), highspy.kHighsInf, program.upper)
        lp.row_lower_ = np.where(np.isinf(program.row_lower), -highspy.kHighsInf, program.row_lower)
        lp.row_upper_ = np.where(np.isinf(program.row_upper), highspy.kHighsInf, program.row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = program.columns
        lp.a_matrix_.num_row_ = program.rows
        lp.a_matrix_.start_ = program.row_start
        lp.a_matrix_.index_ = program.column
        lp.a_matrix_.value_ = program.value
        if not relax:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
                for flag in program.integer.tolist()
            ]
        began = time.perf_counter()
        h.passModel(lp)
        if start is not None and not relax:
            given = highspy.HighsSolution()
            given.col_value = list(map(float, start))
            given.value_valid = True
            h.setSolution(given)
        h.run()
        seconds = time.perf_counter() - began
        status = _STATUS.get(h.getModelStatus(), str(h.getModelStatus()))
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        if values.size != program.columns:
            values = np.zeros(program.columns)
        objective = float(info.objective_function_value)
        bound = objective if relax else float(info.mip_dual_bound)
        return MipSolution(status, objective, bound, values, seconds)
