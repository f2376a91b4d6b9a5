// RUN: marthe-opt %s -split-input-file -verify-diagnostics

func.func @wrong_output(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{output dimension 2 is 5, expected 3}}
  %y = marthe.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x5x5xf32>
  return
}

// -----

func.func @groups(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{groups (3) must divide the input channels (4) and the filters (6)}}
  %y = marthe.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 3 : i64} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf32>
  return
}

// -----

func.func @filter_channels(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{filter has 4 input channels per group, expected 2}}
  %y = marthe.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf32>
  return
}

// -----

func.func @strides(%x: tensor<2x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'strides' values must be >= 1}}
  %y = marthe.conv2d %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x3x3xf32>
  return
}

// -----

func.func @window_too_large(%x: tensor<2x4x2x2xf32>) {
  // expected-error @+1 {{window of extent 3 does not fit the padded input 2}}
  %m = marthe.max_pool2d %x, %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x2x2xf32>, tensor<2x4x2x2xf32>) -> tensor<2x4x1x1xf32>
  return
}

// -----

func.func @pool_pads(%x: tensor<2x4x5x5xf32>) {
  // expected-error @+1 {{needs 'pads' with 4 values}}
  %m = marthe.max_pool2d %x, %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<2x4x5x5xf32>) -> tensor<2x4x2x2xf32>
  return
}

// -----

func.func @unpool_shape(%x: tensor<2x4x5x5xf32>, %p: tensor<2x4x2x2xf32>) {
  // expected-error @+1 {{the result must have the shape of the keys}}
  %u = marthe.max_unpool2d %x, %p {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<2x4x2x2xf32>) -> tensor<2x4x4x4xf32>
  return
}

// -----

func.func @concat_sizes(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) {
  // expected-error @+1 {{the operands' sizes along the axis add up to 4, not 5}}
  %c = marthe.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @slice_range(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{offset 2 and size 2 exceed the input's 3}}
  %s = marthe.slice %a {axis = 1 : i64, offset = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @convert_changes_shape(%a: tensor<2x3xf32>) -> tensor<3x2xf64> {
  // expected-error @+1 {{'marthe.convert' op result 'tensor<3x2xf64>' does not have the shape of 'tensor<2x3xf32>'}}
  %c = marthe.convert %a : (tensor<2x3xf32>) -> tensor<3x2xf64>
  return %c : tensor<3x2xf64>
}
