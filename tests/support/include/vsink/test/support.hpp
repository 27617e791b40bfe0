// Everything an integration test needs to talk to the real servers.
#pragma once

#include "vsink/test/database.hpp"
#include "vsink/test/kafka_admin.hpp"
#include "vsink/test/process.hpp"
#include "vsink/test/server_env.hpp"
#include "vsink/test/test_consumer.hpp"
#include "vsink/test/test_producer.hpp"
#include "vsink/test/unique_name.hpp"
#include "vsink/test/wait_until.hpp"
