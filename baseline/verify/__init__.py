"""verify: the live account checked against the baseline, from IAM and S3 reads and IAM's policy simulator."""
