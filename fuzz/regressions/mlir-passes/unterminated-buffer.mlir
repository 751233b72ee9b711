

func.func @add_int_types(%a: tensor<8xi32>, %b: tensor<4xi8>) {
  // 

funcecom.pf