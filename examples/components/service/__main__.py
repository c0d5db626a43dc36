"""The storefront service: its site and its order queue, each deployed as its own component role.

A leaked session of the queue's role cannot touch the site's bucket, and the reverse; the price is one
AWS provider per component.
"""

import pulumi

from acme_components import QueueWorker, StaticSite
from iam_baseline_consume import provider_for

site = StaticSite("storefront", opts=pulumi.ResourceOptions(providers=[provider_for("storefront", component="site")]))
orders = QueueWorker("orders", opts=pulumi.ResourceOptions(providers=[provider_for("storefront", component="orders")]))

pulumi.export("bucket", site.bucket.bucket)
pulumi.export("ordersQueueUrl", orders.queue.url)
