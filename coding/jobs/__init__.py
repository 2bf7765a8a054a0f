"""Long operations as jobs: queued in the database, claimed and run by any worker process, polled from any server.

The names below come from `coding.jobs.runner`, loaded on first use (it needs the database models, which a
command that only prints its help should not pay for)."""

__all__ = ["KINDS", "RESTARTED", "Executor", "Runner", "Thresholds", "claim", "delete_results", "enqueue", "get_job",
           "recover", "result_folder_for", "take_result", "withdraw_results", "work_through"]


def __getattr__(name: str):
    if name in __all__:
        from coding.jobs import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'coding.jobs' has no attribute {name!r}")
