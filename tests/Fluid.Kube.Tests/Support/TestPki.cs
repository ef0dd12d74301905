using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fluid.Kube.Tests.Support;

/// <summary>A CA with a server certificate for 127.0.0.1 and client certificates, made fresh per test run.</summary>
public sealed class TestPki
{
    private static readonly Lazy<TestPki> Shared = new(() => new TestPki());

    private readonly X509SignatureGenerator _caSigner;

    private TestPki()
    {
        var caKey = RSA.Create(2048);
        _caSigner = X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1);
        var caRequest = new CertificateRequest("CN=fluid-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("kubernetes.default.svc");
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        Server = Issue(serverRequest, serverKey);

        using var otherKey = RSA.Create(2048);
        var otherRequest = new CertificateRequest("CN=other-ca", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        OtherCa = otherRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var rsaClient = RSA.Create(2048);
        var rsaRequest = new CertificateRequest("CN=alice,O=system:masters", rsaClient, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rsaRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        RsaClientCertPem = Issue(rsaRequest, null).ExportCertificatePem();
        RsaClientKeyPem = rsaClient.ExportRSAPrivateKeyPem();

        using var ecClient = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecRequest = new CertificateRequest("CN=bob", ecClient, HashAlgorithmName.SHA256);
        ecRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        EcClientCertPem = Issue(ecRequest, null).ExportCertificatePem();
        EcClientKeyPem = ecClient.ExportECPrivateKeyPem();
        Pkcs8EcClientKeyPem = ecClient.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>The one PKI of this test run.</summary>
    public static TestPki Instance => Shared.Value;

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    /// <summary>Server certificate with its key, for 127.0.0.1 and kubernetes.default.svc.</summary>
    public X509Certificate2 Server { get; }

    public string CaPem => Ca.ExportCertificatePem();

    public string RsaClientCertPem { get; }

    public string RsaClientKeyPem { get; }

    public string EcClientCertPem { get; }

    public string EcClientKeyPem { get; }

    public string Pkcs8EcClientKeyPem { get; }

    private X509Certificate2 Issue(CertificateRequest request, RSA? key)
    {
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        var cert = request.Create(Ca.SubjectName, _caSigner, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        if (key is null)
        {
            return cert;
        }

        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
