-- DuckDB analytics: UUID keys, DOUBLE measurements, timestamps, booleans, CHECK lists.
CREATE TABLE devices (
  device_id UUID PRIMARY KEY,
  label VARCHAR NOT NULL,
  latitude DOUBLE,
  longitude DOUBLE,
  active BOOLEAN NOT NULL
);
CREATE TABLE readings (
  id BIGINT PRIMARY KEY,
  device_id UUID NOT NULL REFERENCES devices (device_id),
  measured_at TIMESTAMP NOT NULL,
  temperature DOUBLE CHECK (temperature BETWEEN -40 AND 85),
  unit VARCHAR NOT NULL CHECK (unit IN ('C', 'F'))
);
