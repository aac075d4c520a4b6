# syntax=docker/dockerfile:1

# Build a static binary: pure Go (the SQLite driver needs no cgo).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/authapi ./cmd/authapi \
 && mkdir -p /out/data

# Distroless: no shell, CA certificates included, runs as uid 65532 (nonroot).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/authapi /authapi
COPY --from=build --chown=65532:65532 /out/data /data
# With no database configured, authapi uses ./data/authapi.db (which also holds
# the generated signing keys); from / that is the /data volume. (No DATABASE_URL here: it would
# override POSTGRES_* settings given to the container.)
WORKDIR /
VOLUME ["/data"]
USER nonroot:nonroot
EXPOSE 8000
ENTRYPOINT ["/authapi"]
CMD ["serve", "--addr", ":8000"]
