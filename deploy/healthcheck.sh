#!/bin/bash
# Docker HEALTHCHECK without curl in the image: GET PATH on the host's own port; healthy on HTTP 200.
# Usage: hub-healthcheck [PATH] (default /health/ready; the port of the first of Urls, default 8080)
path=${1:-/health/ready}
url=${Urls:-http://+:8080}
url=${url%%;*}
port=${url##*:}
port=${port%%/*}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
read -r -t 2 _ status _ <&3 || exit 1
[ "$status" = 200 ]
