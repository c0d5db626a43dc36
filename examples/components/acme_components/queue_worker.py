"""QueueWorker: a work queue with a dead-letter queue."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws


class QueueWorker(pulumi.ComponentResource):
    """A queue whose messages go to a dead-letter queue after `max_receives` failed attempts."""

    def __init__(self, name: str, max_receives: int = 5, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:components:QueueWorker", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.dead_letters = aws.sqs.Queue(f"{name}-dead-letters", message_retention_seconds=1_209_600, opts=child)
        self.queue = aws.sqs.Queue(
            f"{name}-jobs",
            visibility_timeout_seconds=60,
            redrive_policy=self.dead_letters.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receives})
            ),
            tags={"component": "queue-worker"},
            opts=child,
        )
        self.register_outputs({"queue_url": self.queue.url})
