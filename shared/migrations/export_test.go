package migrations

// Files lets the external tests load the embedded migrations.
var Files = files

// Load lets the external tests compare the loader with tern's.
var Load = load
