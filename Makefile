# Thin wrappers over the npm scripts in package.json (the source of truth).
NPM ?= npm
COMPOSE ?= docker compose

.PHONY: all build run watch test clean docker-run docker-down lint bench postman postman-check
# `make -j all` must still clean before it builds.
.NOTPARALLEL: all

all: clean build test

build:
	$(NPM) run build

run:
	$(NPM) start

watch:
	$(NPM) run dev

test:
	$(NPM) test

clean:
	$(NPM) run clean

docker-run:
	$(COMPOSE) up -d

docker-down:
	$(COMPOSE) down

lint:
	$(NPM) run lint

bench:
	$(NPM) run bench

postman:
	$(NPM) run docs:postman

# Fails when docs/mamlaka.postman_collection.json or docs/api-routes.md no longer matches the API (for CI).
postman-check:
	$(NPM) run docs:postman -- --check
