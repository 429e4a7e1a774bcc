package local.pinterest;

import java.net.InetSocketAddress;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService;
import org.apache.spark.sql.connect.service.SparkConnectService$;
import org.sparkproject.connect.grpc.Server;
import org.sparkproject.connect.grpc.netty.NettyServerBuilder;

/**
 * Spark Connect's service on one address. Spark 3.5's own server
 * (SparkConnectServer, `spark.connect.grpc.binding.port`) binds every interface; this one binds
 * the host it is given (args: host, port), so the local stack stays on loopback.
 */
public final class LocalConnectServer {
  private LocalConnectServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("Usage: LocalConnectServer HOST PORT");
      System.exit(2);
    }
    InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    SparkSession spark = SparkSession.builder().getOrCreate();
    Server server = NettyServerBuilder.forAddress(address)
        .addService(new SparkConnectService(false))
        // Spark's own default (spark.connect.grpc.maxInboundMessageSize).
        .maxInboundMessageSize(128 * 1024 * 1024)
        .build()
        .start();
    SparkConnectService$.MODULE$.server_$eq(server);
    System.out.println("Spark Connect server " + spark.version() + " at " + address);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      spark.stop();
    }));
    server.awaitTermination();
  }
}
