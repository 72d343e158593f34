#!/usr/bin/env bash
# Turns RABBITMQ_DEFAULT_USER / _PASS / _VHOST into configuration (as the official image does), then runs the
# server as the rabbitmq user in the foreground.
set -Eeuo pipefail

if [ "${1:-rabbitmq-server}" != rabbitmq-server ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  {
    echo 'loopback_users = none'
    echo 'listeners.tcp.default = 5672'
    echo 'management.tcp.port = 15672'
    [ -z "${RABBITMQ_DEFAULT_USER:-}" ] || echo "default_user = $RABBITMQ_DEFAULT_USER"
    [ -z "${RABBITMQ_DEFAULT_PASS:-}" ] || echo "default_pass = $RABBITMQ_DEFAULT_PASS"
    [ -z "${RABBITMQ_DEFAULT_VHOST:-}" ] || echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"
  } > /etc/rabbitmq/conf.d/10-defaults.conf
  chown -R rabbitmq:rabbitmq /etc/rabbitmq /var/lib/rabbitmq
  chmod 600 /etc/rabbitmq/conf.d/10-defaults.conf
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$0" "$@"
fi

exec /usr/lib/rabbitmq/bin/rabbitmq-server
