-- Out-of-range numbers and NaN convert as C's (long long) cast on x86-64 does.
return {1e300, -1e300, 0/0}
