package migrations

// Files lets the external tests load the embedded migrations.
var Files = files
