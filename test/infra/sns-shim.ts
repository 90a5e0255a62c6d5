/**
 * A pass-through proxy in front of fauxqs's SNS, for Terraform only, filling two gaps the AWS provider trips on:
 * - it writes every delivery-status attribute of a topic (`LambdaSuccessFeedbackSampleRate=0`,
 *   `SQSFailureFeedbackRoleArn=`, ...) even when the configuration leaves them unset; fauxqs 1.9.2 rejects those
 *   names with `InvalidParameter` and the provider retries for minutes. The shim answers exactly those writes,
 *   when they carry the default value, as AWS does;
 * - it parses the topic's `Policy`, which AWS always returns (a default policy) and fauxqs leaves out. The shim
 *   adds AWS's default policy to a GetTopicAttributes answer that has none.
 * Everything else (a non-default value included) reaches fauxqs unchanged, so real gaps still fail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Attribute names fauxqs does not know and the provider always writes. */
const DELIVERY_STATUS =
  /^(Application|HTTP|Lambda|SQS|Firehose)(Success|Failure)Feedback(RoleArn|SampleRate)$/i;

/** A running shim. */
export interface SnsShim {
  readonly url: string;
  readonly close: () => Promise<void>;
}

/** True for a SetTopicAttributes call that only restates a delivery-status default. */
export const isDefaultDeliveryStatusWrite = (body: string): boolean => {
  const p = new URLSearchParams(body);
  const value = p.get('AttributeValue') ?? '';
  return (
    p.get('Action') === 'SetTopicAttributes' &&
    DELIVERY_STATUS.test(p.get('AttributeName') ?? '') &&
    (value === '' || value === '0')
  );
};

/** The policy AWS gives a topic nobody set one on. */
const defaultPolicy = (topicArn: string): string => {
  const account = topicArn.split(':')[4] ?? '000000000000';
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  });
};

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A GetTopicAttributes answer with AWS's default policy added when it has no `Policy` entry. */
export const withDefaultPolicy = (xml: string, topicArn: string): string =>
  xml.includes('<key>Policy</key>')
    ? xml
    : xml.replace(
        '</Attributes>',
        `<entry><key>Policy</key><value>${escapeXml(defaultPolicy(topicArn))}</value></entry></Attributes>`,
      );

const answer = (res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(
    '<SetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
      `<ResponseMetadata><RequestId>shim-${Date.now()}</RequestId></ResponseMetadata>` +
      '</SetTopicAttributesResponse>',
  );
};

/**
 * Starts the shim on a free 127.0.0.1 port, forwarding to `target` (fauxqs's URL).
 * @example const shim = await startSnsShim('http://127.0.0.1:4571'); // shim.url for Terraform's sns endpoint
 */
export const startSnsShim = async (target: string): Promise<SnsShim> => {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const params = new URLSearchParams(body.toString('utf8'));
      if (isDefaultDeliveryStatusWrite(body.toString('utf8'))) return answer(res);
      const topicArn = params.get('Action') === 'GetTopicAttributes' && params.get('TopicArn');
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (up) => {
          if (!topicArn || up.statusCode !== 200) {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const xml = withDefaultPolicy(Buffer.concat(parts).toString('utf8'), topicArn);
            const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(xml)) };
            delete headers['transfer-encoding'];
            res.writeHead(200, headers);
            res.end(xml);
          });
        },
      );
      out.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
