"""What the functions of Manabi Plus and its infrastructure must agree on, defined once.

Shipped in every Lambda asset (the API's zip, the scanner's image) and used by the CDK app and
the local runtime, so a name, prefix or tag key cannot drift between the code that writes it and
the code (or policy) that reads it. It imports nothing else of ours.

- `environment`: the environment variables each function reads, and the settings readers that
  fail at init naming the variable that is missing or malformed.
- `names`: the system's names: services, handlers, metric namespace and names, groups.
- `resources`: the physical names of an environment's resources (the CDK app and local mode).
- `storage`: object-key prefixes of the buckets and the submissions' key layout.
- `verdicts`: the virus-scan verdict tags on an object version (MP-AV-01..04).
- `table`: the single table's key layout and the verdict write the API and the scanner share.
- `observability`: Powertools Logger, Metrics and Tracer, configured alike for every function.
- `site`: the keys of the SPA's `/config.json`, and the cache and security headers both website
  origins (CloudFront, the local SPA origin) send.
"""
