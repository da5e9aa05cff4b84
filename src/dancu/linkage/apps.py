from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "dancu.linkage"
    label = "linkage"

    def ready(self) -> None:
        from dancu.core.jobs import AbandonedJob, on_abandoned
        from dancu.core.periodic import every
        from dancu.linkage.tasks import run_link_job

        @every(3600, name="linkage.remove_expired_files")
        def remove_expired_files() -> None:
            """Delete extracts and results older than DANCU_LINKAGE_RETENTION_DAYS (personal data)."""
            from dancu.linkage.actions import do_remove_expired_files

            do_remove_expired_files()

        @every(30, name="linkage.fail_stranded_cli_jobs")
        def fail_stranded_cli_jobs() -> None:
            """A ``dancu link`` process died mid-run: fail its job (it beats like a worker)."""
            from dancu.linkage.actions import do_fail_stranded_cli_jobs

            do_fail_stranded_cli_jobs()

        @on_abandoned(run_link_job)
        def fail_link_job(job: AbandonedJob) -> None:
            """A worker died running an upload: fail the job so its page says so and offers a re-run."""
            from dancu.linkage.actions import do_abandon_job

            if job.args:
                do_abandon_job(int(job.args[0]), job.result_id)
