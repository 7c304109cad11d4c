# Build the service, then run it from a minimal image as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/surveyd ./cmd/surveyd

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/surveyd /surveyd
USER nonroot:nonroot
EXPOSE 8080
# Ready: the database answers, the schema is this build's, not shutting down.
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 CMD ["/surveyd", "healthcheck"]
ENTRYPOINT ["/surveyd"]
CMD ["serve"]
