#!/bin/sh
# Make the certificates of the TLS tests in DIR with the openssl command line (nothing is checked in):
#   ca.pem               the test CA (trusted by the tests)
#   good.pem/.key        CA-signed, for localhost and 127.0.0.1, valid now
#   wrongname.pem/.key   CA-signed, valid now, but only for wrong.example
#   expired.pem/.key     CA-signed, for localhost, valid from 2001 to 2002 (openssl ca -startdate/-enddate)
#   other-ca.pem         a second CA that the tests do not trust
#   untrusted.pem/.key   signed by other-ca, for localhost, valid now
# Usage: sh tests/peers/make_certs.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
rm -rf db && mkdir db && : > db/index.txt && echo 1000 > db/serial

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = ./db/index.txt
serial = ./db/serial
new_certs_dir = ./db
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = copy
email_in_dn = no
[ any_policy ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ leaf_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
CNF

ossl() { openssl "$@" 2>/dev/null; }

make_ca() { # name subject
    ossl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 \
        -subj "/CN=$2" -config ca.cnf -extensions ca_ext
}
# leaf name ca san startdate enddate (EC P-256 keys: quick to make, and the CAs are RSA: both kinds used)
leaf() {
    ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
        -subj "/CN=$1" -addext "subjectAltName=$3" -config ca.cnf
    ossl ca -batch -config ca.cnf -cert "$2.pem" -keyfile "$2.key" -in "$1.csr" -out "$1.pem" \
        -extensions leaf_ext -notext -startdate "$4" -enddate "$5"
    rm -f "$1.csr"
}
now=$(date -u +%Y%m%d%H%M%SZ -d '-1 day')
later=$(date -u +%Y%m%d%H%M%SZ -d '+365 days')
make_ca ca "awr test CA"
make_ca other-ca "awr untrusted CA"
leaf good ca "DNS:localhost,IP:127.0.0.1" "$now" "$later"
leaf wrongname ca "DNS:wrong.example" "$now" "$later"
leaf expired ca "DNS:localhost,IP:127.0.0.1" 20010101000000Z 20020101000000Z
leaf untrusted other-ca "DNS:localhost,IP:127.0.0.1" "$now" "$later"
echo ok
