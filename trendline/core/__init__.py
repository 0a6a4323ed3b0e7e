"""The ground floor: settings, the store (engine, schema, migrations), locks, resources."""
