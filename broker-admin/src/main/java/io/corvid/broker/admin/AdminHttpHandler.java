package io.corvid.broker.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each HTTP request: access policy first, then the route, then the endpoint, and turns
 * whatever goes wrong into a JSON error with the right status. Endpoints run on the admin
 * server's event loop; they only read the broker's snapshots or hand it one action, never block.
 */
@ChannelHandler.Sharable
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpHandler.class);
    private static final String REALM = "Bearer realm=\"corvid-admin\"";

    private final AccessPolicy policy;
    private final Routes routes;

    AdminHttpHandler(AccessPolicy policy, Routes routes) {
        this.policy = policy;
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        ApiResponse response;
        try {
            response = respond(ctx, request);
        } catch (ApiException e) {
            response = ApiResponse.error(e.status(), e.getMessage());
        }
        write(ctx, request, response);
    }

    private ApiResponse respond(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return ApiResponse.error(HttpResponseStatus.BAD_REQUEST,
                    "malformed HTTP request: " + request.decoderResult().cause().getMessage());
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.rawPath();
        HttpHeaders headers = request.headers();
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetAddress peer = remote.getAddress();
        AccessPolicy.Decision decision = policy.decide(new AccessPolicy.Request(peer, path,
                headers.get(HttpHeaderNames.AUTHORIZATION), headers.get(HttpHeaderNames.HOST),
                headers.get(HttpHeaderNames.ORIGIN)));
        switch (decision) {
            case TOKEN_MISSING:
                return ApiResponse.error(HttpResponseStatus.UNAUTHORIZED,
                        "this endpoint needs the admin token: Authorization: Bearer <token>")
                        .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), REALM);
            case TOKEN_WRONG:
                LOG.debug("Admin API: wrong token from {} for {} {}", remote, request.method(), path);
                return ApiResponse.error(HttpResponseStatus.UNAUTHORIZED, "the token is not the admin token")
                        .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), REALM + ", error=\"invalid_token\"");
            case FORBIDDEN:
                LOG.debug("Admin API: refused {} {} from {} (no token configured: loopback only)",
                        request.method(), path, remote);
                return ApiResponse.error(HttpResponseStatus.FORBIDDEN, "without an admin token configured, the API "
                        + "answers only requests from this machine's loopback address to a loopback host name");
            case ALLOW:
            default:
                break;
        }
        Routes.Match match = routes.match(path);
        if (match == null) {
            return ApiResponse.error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path);
        }
        Routes.Endpoint endpoint = match.route().endpoint(request.method());
        if (endpoint == null) {
            return ApiResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                            request.method() + " is not allowed on " + path + "; allowed: " + match.route().allowed())
                    .withHeader(HttpHeaderNames.ALLOW.toString(), match.route().allowed());
        }
        ApiRequest apiRequest = new ApiRequest(match.parameters(), uri.parameters(),
                ByteBufUtil.getBytes(request.content()), headers.get(HttpHeaderNames.CONTENT_TYPE), remote);
        try {
            return endpoint.handle(apiRequest);
        } catch (ApiException e) {
            throw e;
        } catch (IllegalStateException e) {
            // What the broker throws once it has stopped: the admin server may outlive it briefly.
            return ApiResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Admin API: {} {} failed", request.method(), path, e);
            return ApiResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
        }
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, ApiResponse response) {
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                Unpooled.wrappedBuffer(response.body()));
        HttpHeaders headers = http.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        headers.set(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        // Answers hold live state and may hold data behind the token: no cache keeps them.
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        headers.set("x-content-type-options", "nosniff");
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        HttpUtil.setKeepAlive(http, HttpUtil.isKeepAlive(request));
        ctx.writeAndFlush(http);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            LOG.debug("Admin API: connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
