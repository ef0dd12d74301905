using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fluid.Kube.Config;

namespace Fluid.Kube.Http;

/// <summary>
/// One HttpClient per config: trusts exactly the configured CA, presents the client certificate, adds the
/// bearer token or basic auth to every request, retries what is safe to retry and turns error answers into
/// <see cref="KubeApiException"/>.
/// </summary>
public sealed class KubeTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly KubeClientConfig _config;
    private readonly TokenFile? _tokenFile;
    private readonly KubeRetryPolicy _retry;

    /// <summary>Creates the transport; <paramref name="requestTimeout"/> bounds every non-streaming request.</summary>
    public KubeTransport(KubeClientConfig config, KubeRetryPolicy? retry = null, TimeSpan? requestTimeout = null)
    {
        _config = config;
        _retry = retry ?? new KubeRetryPolicy();
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        _tokenFile = config.BearerToken is null && config.BearerTokenFile is not null ? new TokenFile(config.BearerTokenFile) : null;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.GZip,
            EnableMultipleHttp2Connections = true,
            // Other answers are read whole; an abandoned watch stream is not worth draining to reuse its connection.
            MaxResponseDrainSize = 0,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = ValidateServerCertificate;
        if (config.ClientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [config.ClientCertificate];
        }

        _http = new HttpClient(handler) { BaseAddress = config.Server, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Bound on each non-streaming request.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Base address of the server.</summary>
    public Uri Server => _config.Server;

    /// <summary>
    /// Sends a request built fresh for every try and returns the successful response (the caller disposes it).
    /// Errors become <see cref="KubeApiException"/>; 429, 5xx and connection failures are retried when
    /// <paramref name="idempotent"/>, and POST only when the server cannot have acted on it.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> build, bool idempotent, bool streaming, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = build();
            Authorize(request);
            var last = attempt >= _retry.MaxAttempts;
            using var timeout = streaming ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout?.CancelAfter(RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(
                    request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
                    timeout?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
            {
                throw new HttpRequestException(
                    $"{request.Method} {request.RequestUri?.AbsolutePath}: TLS with {_config.Server} failed: {Describe(e)}; check certificate-authority, tls-server-name and the client certificate",
                    e);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsConnectionFailure(e))
            {
                // A refused connection never reached the server, so even a POST may be sent again.
                var safe = idempotent || IsRefused(e);
                if (last || !safe)
                {
                    throw new HttpRequestException(
                        $"{request.Method} {request.RequestUri?.AbsolutePath}: cannot reach the API server at {_config.Server}: {Describe(e)}", e);
                }

                await Task.Delay(_retry.Backoff(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var code = (int)response.StatusCode;
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                response.Dispose();
            }

            var status = KubeStatus.TryParse(body);
            // The priority-and-fairness filter answers 429 before acting, so a POST may be retried too.
            var retryable = code == 429 || (idempotent && code is 500 or 502 or 503 or 504);
            if (!retryable || last)
            {
                throw new KubeApiException(request.Method.Method, request.RequestUri?.AbsolutePath ?? "", response.StatusCode, status, body);
            }

            var wait = RetryAfter(response, status) ?? _retry.Backoff(attempt);
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private TimeSpan? RetryAfter(HttpResponseMessage response, KubeStatus? status)
    {
        TimeSpan? wait = null;
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            wait = delta;
        }
        else if (header?.Date is { } date)
        {
            wait = date - DateTimeOffset.UtcNow;
        }
        else if (status?.Details?.RetryAfterSeconds is { } seconds)
        {
            wait = TimeSpan.FromSeconds(seconds);
        }

        if (wait is null)
        {
            return null;
        }

        return wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value > _retry.MaxRetryAfter ? _retry.MaxRetryAfter : wait.Value;
    }

    private void Authorize(HttpRequestMessage request)
    {
        var token = _config.BearerToken ?? _tokenFile?.Read();
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_config.Username is not null)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_config.Username}:{_config.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_config.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var nameOk = _config.TlsServerName is { } serverName
            ? cert.MatchesHostname(serverName)
            : !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch);
        if (!nameOk)
        {
            return false;
        }

        if (_config.CertificateAuthorities is not { Count: > 0 } authorities)
        {
            return !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        }

        // The kubeconfig's CA is the only root trusted for this server, not the system store.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(cert);
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is HttpRequestException or IOException or OperationCanceledException;

    private static bool IsRefused(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(Exception e)
    {
        if (e is OperationCanceledException)
        {
            return "timed out";
        }

        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost == e ? e.Message : $"{e.Message} ({innermost.Message})";
    }
}
