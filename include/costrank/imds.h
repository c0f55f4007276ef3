/*
 * imds.h - credentials of the EC2 instance's role from the instance
 * metadata service, IMDSv2 only:
 *
 *   PUT /latest/api/token            X-aws-ec2-metadata-token-ttl-seconds: 21600
 *   GET /latest/meta-data/iam/security-credentials/        -> the role name
 *   GET /latest/meta-data/iam/security-credentials/ROLE    -> {"Code": "Success",
 *       "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
 *
 * both GETs with X-aws-ec2-metadata-token: TOKEN.  There is no IMDSv1
 * fallback (requests without a token): an instance that requires IMDSv1
 * gives no credentials.
 *
 * AWS_EC2_METADATA_DISABLED=true skips the service.  The endpoint is
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://[fd00:ec2::254] when
 * AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is IPv6, else
 * http://169.254.169.254; plain http only to those two link-local addresses
 * and to loopback hosts.  Every request has 1 s to connect and 1 s in all,
 * and none is retried, so that a machine off EC2 loses at most a second or
 * two.  The token never appears in a message.
 */
#ifndef COSTRANK_IMDS_H
#define COSTRANK_IMDS_H

#include <stddef.h>

#include "costrank/credentials.h"
#include "costrank/error.h"

#define CR_IMDS_TIMEOUT_MS 1000L

/*
 * The instance role's credentials into the empty *out.  Returns 1 when
 * found; 0 when there are none, with the reason in why[0..why_size)
 * ("disabled by AWS_EC2_METADATA_DISABLED", "no answer", "no IAM role",
 * "HTTP 403 from http://169.254.169.254"...); -1 with err set (CR_EXIT_AUTH)
 * when the service answers but its credentials are unusable or the endpoint
 * is refused.
 */
int cr_imds_credentials(cr_aws_credentials *out, char *why, size_t why_size, cr_error *err);

#endif
