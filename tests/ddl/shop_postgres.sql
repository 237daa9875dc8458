-- PostgreSQL shop: enum type, serial and identity keys, CHECK ranges, lists and orderings, defaults.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
  id SERIAL PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  first_name VARCHAR(80) NOT NULL,
  last_name VARCHAR(80) NOT NULL,
  phone VARCHAR(32),
  city VARCHAR(100),
  postal_code VARCHAR(10),
  age INTEGER CHECK (age BETWEEN 18 AND 99),
  created_at TIMESTAMP NOT NULL DEFAULT now(),
  updated_at TIMESTAMP
);

CREATE TABLE products (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL,
  price NUMERIC(10, 2) NOT NULL CHECK (price > 0),
  category TEXT CHECK (category IN ('books', 'games', 'tools'))
);

CREATE TABLE orders (
  id SERIAL PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  status order_status NOT NULL DEFAULT 'new',
  channel VARCHAR(12) NOT NULL CHECK (channel IN ('web', 'app', 'phone')),
  placed_at TIMESTAMP NOT NULL,
  shipped_at TIMESTAMP,
  CHECK (shipped_at >= placed_at)
);

CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders (id),
  product_id BIGINT NOT NULL REFERENCES products (id),
  quantity INTEGER NOT NULL CHECK (quantity >= 1 AND quantity <= 20),
  unit_price NUMERIC(10, 2) NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
