// Starts @20minutes/s3rver from its CLI module: the package ships no bin script.
require('@20minutes/s3rver/lib/cli').parseAsync(process.argv);
