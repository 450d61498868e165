package secrets

import "os"

var lookup = os.LookupEnv
