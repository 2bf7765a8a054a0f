"""Long operations as jobs: a row any worker can report on, the work in a thread of the worker that accepted it."""

from coding.jobs.runner import (RESTARTED, Runner, Thresholds, delete_results, get_job, recover, result_folder_for,
                                take_result, withdraw_results)

__all__ = ["RESTARTED", "Runner", "Thresholds", "delete_results", "get_job", "recover", "result_folder_for",
           "take_result", "withdraw_results"]
