"""The virus scanner of the data bucket (MP-AV-01..04): ClamAV through clamd, fail closed."""
